"""ConfluenceSink: one page per sprint, found by title, created once, updated in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

import httpx
import structlog

from sprintsync.domain import PublishResult, RenderedReport
from sprintsync.errors import PublishError, WriteConflictError, WriteUnknownError
from sprintsync.sinks.confluence.api import (
    SERVICE,
    Deployment,
    Page,
    PageApi,
    call,
)
from sprintsync.sinks.confluence.body import build_page_body, same_report
from sprintsync.sinks.confluence.cloud import SPACES_PATH, CloudPageApi, not_a_root_error
from sprintsync.sinks.confluence.dc import DataCenterPageApi

log = structlog.get_logger("sprintsync.sinks.confluence")

MAX_WRITE_ATTEMPTS = 3
_Read = TypeVar("_Read")
CLOUD_HOST_SUFFIX = ".atlassian.net"


def build_version_message(report: RenderedReport) -> str:
    """The version message of every page change: names the report's as-of date."""
    return f"sprintsync report as of {report.as_of.isoformat()}"


def holds_report(page: Page, storage: str) -> bool:
    """Whether the page as read back already shows the rendered report `storage`."""
    return same_report(build_page_body(storage, current=page.body), page.body)


def build_title(template: str, sprint_name: str) -> str:
    """The page title: `{sprint}` replaced by the sprint name (no other placeholders)."""
    return template.replace("{sprint}", sprint_name)


async def detect_deployment(client: httpx.AsyncClient, *, space: str) -> Deployment:
    """Cloud or Data Center: `*.atlassian.net` is Cloud; else probe the v2 spaces endpoint.

    The probe is Cloud's real `GET {url}/api/v2/spaces?keys=SPACE`; Data Center has no
    `/api/v2`, so it answers 404 there. Any other failure (401, 5xx) is a PublishError.
    """
    if client.base_url.host.endswith(CLOUD_HOST_SUFFIX):
        return "cloud"
    try:
        await call(
            client,
            "GET",
            SPACES_PATH,
            what="the deployment probe (Cloud REST v2 spaces)",
            params={"keys": space, "limit": 1},
        )
    except PublishError as error:
        if error.status == 404:
            await _refuse_cloud_without_wiki(client, space=space)
            return "datacenter"
        raise
    return "cloud"


async def _refuse_cloud_without_wiki(client: httpx.AsyncClient, *, space: str) -> None:
    """A Cloud site given without `/wiki` looks like Data Center: ask `/wiki` before saying so."""
    if client.base_url.path.rstrip("/").endswith("/wiki"):
        return
    try:
        await call(
            client,
            "GET",
            f"wiki/{SPACES_PATH}",
            what="the deployment probe under /wiki",
            params={"keys": space, "limit": 1},
        )
    except PublishError:
        return  # nothing Cloud-like under /wiki either: Data Center it is
    raise not_a_root_error(client.base_url)


class ConfluenceSink:
    """Publishes the storage-format report to one page per sprint, idempotently and losslessly."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        space: str,
        title: str,
        parent: str | None,
        deployment: Deployment | None,
    ) -> None:
        self._client = client
        self._space = space
        self._title = title
        self._parent = parent
        self._deployment = deployment
        self._api: PageApi | None = None

    async def api(self) -> PageApi:
        """The Cloud or Data Center API, detected once when `deployment` is not configured."""
        if self._api is None:
            deployment = self._deployment or await detect_deployment(
                self._client, space=self._space
            )
            log.info("confluence.deployment", deployment=deployment, configured=self._deployment)
            if deployment == "cloud":
                self._api = CloudPageApi(self._client, space=self._space)
            else:
                self._api = DataCenterPageApi(self._client, space=self._space)
        return self._api

    async def publish(self, report: RenderedReport) -> PublishResult:
        """Create the sprint's page or update it in place; unchanged data writes nothing."""
        if not report.storage:
            raise PublishError(
                "confluence publisher got an empty storage body (expected rendered XHTML)",
                service=SERVICE,
            )
        api = await self.api()
        title = build_title(self._title, report.sprint_name)
        message = build_version_message(report)
        page = await api.find_page(title)
        if page is None:
            return await self._create(api, title=title, storage=report.storage, message=message)
        return await self._update(api, page, storage=report.storage, message=message)

    async def _create(
        self, api: PageApi, *, title: str, storage: str, message: str
    ) -> PublishResult:
        body = build_page_body(storage, current=None)
        for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
            try:
                page = await api.create_page(title=title, body=body, parent=self._parent)
            except (WriteUnknownError, WriteConflictError) as error:
                # The POST may have created the page (timeout) or someone else did: look first.
                log.warning("confluence.create_uncertain", title=title, attempt=attempt)
                found = await api.find_page(title)
                if found is not None and holds_report(found, storage):
                    return self._confirmed(found, after=error)
                if found is not None:
                    return await self._update(api, found, storage=storage, message=message)
                if isinstance(error, WriteConflictError):
                    raise
                continue
            except PublishError as error:
                found = await self._read_back(error, lambda: api.find_page(title))
                if found is None or not holds_report(found, storage):
                    raise
                return self._confirmed(found, after=error)
            log.info("confluence.page_created", page_id=page.id, title=title)
            return self._result(page, changed=True)
        raise PublishError(
            f"confluence page {title!r} in space {self._space!r} could not be created "
            f"after {MAX_WRITE_ATTEMPTS} attempts (no answer from the server)",
            service=SERVICE,
        )

    async def _update(
        self, api: PageApi, page: Page, *, storage: str, message: str
    ) -> PublishResult:
        wrote, refused = False, 0
        for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
            body = build_page_body(storage, current=page.body)
            if same_report(body, page.body):
                log.info("confluence.page_unchanged", page_id=page.id, version=page.version)
                return self._result(page, changed=wrote)
            try:
                updated = await api.update_page(page, body=body, message=message)
            except (WriteConflictError, WriteUnknownError) as error:
                # Someone saved in between (409) or the PUT got no answer: re-read, never
                # overwrite a newer version blindly, and carry its team notes.
                log.warning("confluence.update_conflict", page_id=page.id, attempt=attempt)
                refused += isinstance(error, WriteConflictError)
                page = await api.get_page(page.id)
                if isinstance(error, WriteUnknownError) and holds_report(page, storage):
                    return self._confirmed(page, after=error)
                continue
            except PublishError as error:
                current = await self._read_back(error, partial(api.get_page, page.id))
                if not holds_report(current, storage):
                    raise
                return self._confirmed(current, after=error)
            log.info("confluence.page_updated", page_id=page.id, version=updated.version)
            return self._result(updated, changed=True)
        raise self._not_updated(page, refused=refused)

    def _not_updated(self, page: Page, *, refused: int) -> PublishError:
        """Every update attempt failed: say how, a conflict only when one was refused as such."""
        where = f"confluence page {page.id} ({page.title!r})"
        if refused == MAX_WRITE_ATTEMPTS:
            return PublishError(
                f"{where} kept changing under us: {MAX_WRITE_ATTEMPTS} updates refused with a "
                "version conflict; not overwritten",
                service=SERVICE,
                status=409,
            )
        return PublishError(
            f"{where} was not updated: {MAX_WRITE_ATTEMPTS - refused} of {MAX_WRITE_ATTEMPTS} "
            f"updates got no answer and {refused} were refused with a version conflict, and "
            "the page does not hold this report (expected an answer within http.timeout_seconds)",
            service=SERVICE,
        )

    @staticmethod
    async def _read_back(error: PublishError, read: Callable[[], Awaitable[_Read]]) -> _Read:
        """After a write's unusable answer (a 5xx, a 2xx that is not JSON), read the page back.

        A clear refusal (4xx) needs no reading: the original error stands.
        """
        status = error.status
        if status is not None and 400 <= status < 500:
            raise error
        log.warning("confluence.write_unclear", status=status, error=str(error))
        return await read()

    def _confirmed(self, page: Page, *, after: PublishError) -> PublishResult:
        """The write's answer was lost or unusable, but the page holds our report: success."""
        log.info(
            "confluence.write_confirmed",
            page_id=page.id,
            version=page.version,
            answer=type(after).__name__,
        )
        return self._result(page, changed=True)

    def _result(self, page: Page, *, changed: bool) -> PublishResult:
        destination = f"confluence page {page.id}"
        url = absolute_url(str(self._client.base_url), page.url)
        return PublishResult(destination=destination, url=url, changed=changed)


def absolute_url(base_url: str, url: str | None) -> str | None:
    """A page's browser URL, absolute: `_links.base` + `webui` when the answer had a base.

    Else the configured site (`…/wiki` on Cloud, API-NOTES B.1.3) + `webui`: list and v1
    answers carry `base` only at the top level, not in each page's `_links`.
    """
    if url is None or url.startswith(("https://", "http://")):
        return url
    return f"{base_url.rstrip('/')}/{url.lstrip('/')}"
