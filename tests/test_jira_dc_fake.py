import json

import pytest

from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import sample_jira_dc
from fakes.server import FakeRequest, FakeResponse

BEARER = {"authorization": "Bearer dc-pat-123"}


def call(
    fake: FakeJiraDataCenter, method: str, path: str, body=None, *, headers=None, **query: str
) -> FakeResponse:
    """Send one request straight to the fake's handler."""
    raw = b"" if body is None else json.dumps(body).encode()
    sent = dict(BEARER if headers is None else headers)
    return fake.handle(FakeRequest(method, path, {k: [v] for k, v in query.items()}, sent, raw))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/rest/api/3/myself"),
        ("POST", "/rest/api/3/search/jql"),
        ("POST", "/rest/api/3/changelog/bulkfetch"),
    ],
)
def test_rest_api_3_does_not_exist_on_data_center(method, path):
    """Every /rest/api/3 path answers 404, the search and bulkfetch included."""
    assert call(sample_jira_dc(), method, path, {}).status == 404


def test_basic_auth_is_refused_and_a_pat_accepted():
    """Only `Authorization: Bearer <PAT>` passes; Basic credentials get 401."""
    fake = sample_jira_dc()
    assert (
        call(fake, "GET", "/rest/api/2/myself", headers={"authorization": "Basic x"}).status == 401
    )
    assert call(fake, "GET", "/rest/api/2/myself").body["name"] == "sprintbot"


def test_search_pages_by_start_at_with_total_whatever_max_results_asks():
    """A page holds `page_size` issues even when 100 are asked; `total` counts every hit."""
    body = {"jql": "sprint = 42", "startAt": 2, "maxResults": 100, "fields": ["summary"]}
    page = call(sample_jira_dc(), "POST", "/rest/api/2/search", body).body
    assert (page["startAt"], page["maxResults"], page["total"]) == (2, 2, 4)
    assert [i["key"] for i in page["issues"]] == ["ABC-4", "ABC-5"]


def test_legacy_sprint_strings_and_wiki_markup_are_served():
    """ABC-4 carries legacy Sprint strings; ABC-1's description is a wiki-markup string."""
    body = {"jql": "sprint = 42", "fields": ["customfield_10020", "description"]}
    page = call(sample_jira_dc(page_size=10), "POST", "/rest/api/2/search", body).body
    issues = {i["key"]: i["fields"] for i in page["issues"]}
    legacy = issues["ABC-4"]["customfield_10020"]
    assert all(s.startswith("com.atlassian.greenhopper.service.sprint.Sprint@") for s in legacy)
    assert "goal=Ship checkout v2, then [id=99] polish, maybe]" in legacy[1]
    assert isinstance(issues["ABC-1"]["customfield_10020"][0], dict)
    assert issues["ABC-1"]["description"].startswith("Why:\r\n* Raise the timeout")


def test_the_embedded_changelog_holds_the_newest_histories_and_the_true_total():
    """expand=changelog cuts to the newest `embedded_histories`; items carry no fieldId."""
    fake = sample_jira_dc()
    bean = call(fake, "GET", "/rest/api/2/issue/ABC-4", expand="changelog", fields="created").body
    changelog = bean["changelog"]
    assert changelog["total"] == 5
    assert [h["id"] for h in changelog["histories"]] == ["20034", "20033"]
    assert set(bean["fields"]) == {"created"}
    assert all("fieldId" not in i for h in changelog["histories"] for i in h["items"])


def test_the_changelog_endpoint_pages_oldest_first_or_is_missing():
    """`/changelog` pages oldest first with total; switched off it answers 404."""
    page = call(sample_jira_dc(), "GET", "/rest/api/2/issue/ABC-4/changelog", startAt="3").body
    assert (page["startAt"], page["total"], page["isLast"]) == (3, 5, True)
    assert [h["id"] for h in page["values"]] == ["20033", "20034"]
    missing = sample_jira_dc(has_changelog_endpoint=False)
    assert call(missing, "GET", "/rest/api/2/issue/ABC-4/changelog").status == 404


def test_sprint_pages_carry_total():
    """Agile sprint pages on Data Center include `total` (JSWSERVER-21082 fixed)."""
    page = call(sample_jira_dc(), "GET", "/rest/agile/1.0/board/7/sprint").body
    assert (page["total"], len(page["values"]), page["isLast"]) == (3, 2, False)
