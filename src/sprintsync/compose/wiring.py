"""What a run shares and the clients it opens: credentials, the redactor, Jira's deployment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import structlog
from pydantic import SecretStr

from sprintsync.config import (
    JiraSourceConfig,
    LoadedConfig,
    Secrets,
)
from sprintsync.domain import Source
from sprintsync.errors import ConfigError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.logs import Redactor
from sprintsync.preflight import (
    jira_deployment,
    require_jira_credentials,
)
from sprintsync.sources.jira.deployment import deployment_from_host, fetch_deployment

log = structlog.get_logger("sprintsync.compose")


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """What the composition root shares between teams in one run."""

    loaded: LoadedConfig
    secrets: Secrets
    budget: RunBudget
    now: datetime
    stack: AsyncExitStack
    transport: httpx.AsyncBaseTransport | None = None  # demo and tests inject one
    sources: dict[str, Source] = field(default_factory=dict)  # one per identical source
    redactor: Redactor = field(default_factory=Redactor)  # learns every credential sent
    jira_cache: Path | None = None  # the Jira sprint caches' folder; None: no cache
    full: bool = False  # --full: the caches are not read, only written
    dry_run: bool = False  # read only: no snapshot stored, no lock taken
    jira_deployments: dict[str, str] = field(default_factory=dict)  # url -> detected, once


def run_budget(loaded: LoadedConfig) -> RunBudget:
    """The run's one time budget, retry policy and per-host limits, from the `http:` key."""
    return RunBudget(
        policy=RetryPolicy(**loaded.settings.http.model_dump(exclude={"allow_insecure_http"}))
    )


@asynccontextmanager
async def opened_wiring(
    loaded: LoadedConfig,
    *,
    secrets: Secrets,
    now: datetime,
    budget: RunBudget | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    redactor: Redactor | None = None,
    jira_cache: Path | None = None,
    full: bool = False,
    dry_run: bool = False,
) -> AsyncIterator[Wiring]:
    """A run's Wiring; every client opened through it is closed when the block ends."""
    async with AsyncExitStack() as stack:
        yield Wiring(
            loaded=loaded,
            secrets=secrets,
            budget=budget or run_budget(loaded),
            now=now,
            stack=stack,
            transport=transport,
            redactor=redactor or Redactor(),
            jira_cache=jira_cache,
            full=full,
            dry_run=dry_run,
        )


@dataclass(frozen=True, kw_only=True)
class Credential:
    """What one client sends: the secret, and the user of a Basic pair."""

    secret: str
    user: str | None = None


def atlassian_auth(
    *, pat: SecretStr | None, email: str | None, token: SecretStr | None
) -> tuple[httpx.Auth | None, dict[str, str], Credential]:
    """A Data Center PAT as a Bearer header when given, else Cloud's Basic email:token."""
    if pat is not None:
        secret = pat.get_secret_value()
        return None, {"Authorization": f"Bearer {secret}"}, Credential(secret=secret)
    user, secret = email or "", token.get_secret_value() if token else ""
    return httpx.BasicAuth(user, secret), {}, Credential(secret=secret, user=user)


async def open_client(
    wiring: Wiring,
    *,
    service: str,
    base_url: str,
    credential: Credential,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """A client for one service, closed with the run; its credential is redacted everywhere."""
    wiring.redactor.add_credential(credential.secret, user=credential.user)
    client = build_client(
        service=service,
        base_url=base_url,
        budget=wiring.budget,
        auth=auth,
        headers=headers,
        transport=wiring.transport,
    )
    return await wiring.stack.enter_async_context(client)


async def jira_client(source: JiraSourceConfig, wiring: Wiring) -> httpx.AsyncClient:
    """A Jira client: Basic email:token on Cloud, the Data Center PAT as a Bearer header."""
    secrets = wiring.secrets
    cloud = await resolve_jira_deployment(source, wiring) == "cloud"
    auth, headers, credential = atlassian_auth(
        pat=None if cloud else secrets.jira_pat,
        email=secrets.jira_email,
        token=secrets.jira_token,
    )
    return await open_client(
        wiring,
        service="Jira",
        base_url=source.api_url or source.url,
        credential=credential,
        auth=auth,
        headers=headers,
    )


async def resolve_jira_deployment(source: JiraSourceConfig, wiring: Wiring) -> str:
    """Configured, else the site's `serverInfo` (anonymous), else the host name; checked creds.

    Asked once per URL in a run; a missing credential for the answer is a ConfigError naming
    the variable and the `deployment` key.
    """
    known = jira_deployment(source)
    if known is not None:
        return known
    if source.url not in wiring.jira_deployments:
        team = next(t for t in wiring.loaded.settings.teams if t.source == source)
        index = wiring.loaded.settings.teams.index(team)
        anonymous = await open_client(
            wiring, service="Jira", base_url=source.url, credential=Credential(secret="")
        )
        detected, failure = await fetch_deployment(anonymous)
        why = f"{source.url} says it is Jira {_NAMES.get(str(detected))} (serverInfo)"
        if detected is None:  # the site did not say: the host name, else the one credential set
            detected = deployment_from_host(source.url)
            why = f"{failure}; an atlassian.net host is Jira Cloud"
        if detected is None and wiring.secrets.jira_pat and not wiring.secrets.jira_token:
            detected = "datacenter"
            why = f"{failure}; only SPRINTSYNC_JIRA_PAT is set, so taken for Data Center"
        where = f"{wiring.loaded.path}: team {team.name!r}"
        if detected is None:
            raise ConfigError(
                f"{where}: cannot tell whether {source.url} is Jira Cloud or Data Center "
                f"({failure}); set teams[{index}].source.deployment: cloud|datacenter"
            )
        key = f"teams[{index}].source.deployment"
        require_jira_credentials(detected, wiring.secrets, where=where, key=key, why=why)
        log.info("jira.deployment", url=source.url, deployment=detected, reason=why)
        wiring.jira_deployments[source.url] = detected
    return wiring.jira_deployments[source.url]


_NAMES = {"cloud": "Cloud", "datacenter": "Data Center"}


# --- `sprintsync audit`: our ledger against Jira's own Sprint Report (docs/semantics.md) ---


def installation_login(wiring: Wiring) -> str | None:
    """The Actions token's login, known from its `ghs_` prefix; None: the sink asks GitHub.

    An installation token (the Actions `GITHUB_TOKEN` among them) cannot ask `GET /user`.
    """
    from sprintsync.sinks.github.comment import (  # noqa: PLC0415 - GitHub teams only
        DEFAULT_AUTHOR,
        INSTALLATION_TOKEN_PREFIX,
    )

    token = wiring.secrets.github_token
    if token is not None and token.get_secret_value().startswith(INSTALLATION_TOKEN_PREFIX):
        return DEFAULT_AUTHOR
    return None


async def github_client(
    wiring: Wiring, *, api_url: str, token: SecretStr | None
) -> httpx.AsyncClient:
    """One client shape for GitHub's REST and GraphQL APIs (Bearer token, API version)."""
    from sprintsync.sinks.github.comment import github_headers  # noqa: PLC0415 - GitHub only

    secret = token.get_secret_value() if token else ""
    return await open_client(
        wiring,
        service="GitHub",
        base_url=api_url,
        credential=Credential(secret=secret),
        headers=github_headers(secret),
    )
