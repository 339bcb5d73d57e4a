"""Which Jira a URL is (Cloud or Data Center), asked of the site itself; and its root's hints."""

from __future__ import annotations

import json
from typing import Literal

import httpx
import structlog

from sprintsync.errors import UpstreamError
from sprintsync.http import BudgetSpent

log = structlog.get_logger("sprintsync.jira")

Deployment = Literal["cloud", "datacenter"]
# `GET /rest/api/2/serverInfo` answers anonymously on Cloud ("This operation can be accessed
# anonymously", specs/jira-cloud-platform-swagger-v3.v3.json getServerInfo) and on Data Center;
# wrong credentials get 401, so the probe sends none. `deploymentType`: Cloud, Server, DataCenter.
SERVER_INFO_PATH = "/rest/api/2/serverInfo"
# API-NOTES A.0: the Cloud id for the api.atlassian.com gateway (scoped tokens, OAuth).
TENANT_INFO_PATH = "/_edge/tenant_info"
GATEWAY = "https://api.atlassian.com/ex/jira/{cloud_id}"
CLOUD_HOST_SUFFIX = ".atlassian.net"


def not_a_root_hint(base_url: str | httpx.URL, *, service: str, example: str) -> str:
    """The 404 hint of a first request: the URL, not the credentials, is what is wrong."""
    return (
        f"{str(base_url).rstrip('/')} does not look like a {service} root; expected the site "
        f"root, such as {example}"
    )


def deployment_from_host(url: str) -> Deployment | None:
    """`*.atlassian.net` is Cloud; any other host cannot be told from its name."""
    host = httpx.URL(url).host
    return "cloud" if host.endswith(CLOUD_HOST_SUFFIX) else None


async def fetch_deployment(client: httpx.AsyncClient) -> tuple[Deployment | None, str]:
    """The site's own word (`serverInfo.deploymentType`), or None and why it could not say.

    `client` carries no credentials. Never raises for a failed probe: the caller falls back.
    """
    what = f"{client.base_url.host}{SERVER_INFO_PATH}"
    try:
        response = await client.get(SERVER_INFO_PATH)
    except (httpx.TransportError, BudgetSpent) as error:
        return None, f"{what} could not be reached ({type(error).__name__})"
    if not response.is_success:
        return None, f"{what} answered {response.status_code}"
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, f"{what} answered with a body that is not JSON"
    kind = body.get("deploymentType") if isinstance(body, dict) else None
    log.info("jira.deployment_detected", deployment_type=kind)
    if kind == "Cloud":
        return "cloud", ""
    if kind in {"Server", "DataCenter"}:
        return "datacenter", ""
    return None, f"{what} named no deploymentType (got {kind!r})"


async def fetch_cloud_id(client: httpx.AsyncClient) -> str | None:
    """The site's Cloud id from `/_edge/tenant_info` (API-NOTES A.0), or None."""
    try:
        response = await client.get(TENANT_INFO_PATH)
        body = response.json() if response.is_success else None
    except (httpx.TransportError, BudgetSpent, UpstreamError, json.JSONDecodeError):
        return None
    cloud_id = body.get("cloudId") if isinstance(body, dict) else None
    return str(cloud_id) if cloud_id else None
