"""The secrets a fault run is given, every form they could leak in, and where to look for them."""

import base64
from pathlib import Path
from urllib.parse import quote

from fakes.confluence import FakeConfluence
from fakes.server import FakeResponse
from faults.catalogue import HTML
from faults.worlds import JIRA_EMAIL, PAGE_TITLE, ConfluenceWorld, GitHubCommentWorld

JIRA_SECRET = "jira-SECRET-4f1c9e2a77"
OTHER_SECRETS = {
    "SPRINTSYNC_CONFLUENCE_TOKEN": "conf-SECRET-0b3d5e8f11",
    "SPRINTSYNC_CONFLUENCE_PAT": "confpat-SECRET-6a2c4e9d33",
    "SPRINTSYNC_JIRA_PAT": "jirapat-SECRET-1e7f3b5c55",
    "SPRINTSYNC_GITHUB_TOKEN": "ghp_SECRET0123456789abcdefABCDEF012345",
    "GITHUB_TOKEN": "ghs_SECRET9876543210fedcbaFEDCBA987654",
}
URL_PASSWORD = "urlpass-SECRET-93bd"
TOKEN_OF = {
    "github_comment": "SPRINTSYNC_GITHUB_TOKEN",
    "cloud": "SPRINTSYNC_CONFLUENCE_TOKEN",
    "datacenter": "SPRINTSYNC_CONFLUENCE_PAT",
}
BASIC = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_SECRET}".encode()).decode()


def forbidden() -> list[str]:
    """Every form a secret could leak in: raw, URL-quoted, Base64 alone and as a Basic pair."""
    values = [JIRA_SECRET, URL_PASSWORD, *OTHER_SECRETS.values()]
    forms = {BASIC}
    for value in values:
        forms |= {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    return sorted(forms)


def echoing_proxy(credential: str = f"Basic {BASIC}", token: str = JIRA_SECRET) -> FakeResponse:
    """A broken proxy page that echoes the request's credentials back in its first bytes."""
    page = f"<html>Authorization: {credential} token={token}</html>".encode()
    return FakeResponse(200, raw=page, headers=HTML)


def everything_written(tmp_path: Path, stdout: str, stderr: str) -> dict[str, str]:
    """stdout, stderr and every file the run left (reports, state), config file excluded."""
    found = {"stdout": stdout, "stderr": stderr}
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "sprintsync.yaml":
            found[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return found


def sink_world(kind: str):
    """A sink world whose fakes accept only the secret credentials of OTHER_SECRETS."""
    env = {
        "SPRINTSYNC_JIRA_EMAIL": JIRA_EMAIL,
        "SPRINTSYNC_JIRA_TOKEN": JIRA_SECRET,
        "SPRINTSYNC_CONFLUENCE_EMAIL": "bot@acme.test",
        **OTHER_SECRETS,
    }
    if kind == "github_comment":
        world = GitHubCommentWorld()
    else:
        world = ConfluenceWorld(flavor=kind)
        world.confluence = FakeConfluence(
            flavor=kind,
            token=OTHER_SECRETS["SPRINTSYNC_CONFLUENCE_TOKEN"],
            pat=OTHER_SECRETS["SPRINTSYNC_CONFLUENCE_PAT"],
        )
        world.confluence.add_page(PAGE_TITLE, "<p>Yesterday's report</p>")
    world.env = env
    world.jira_token = JIRA_SECRET
    return world
