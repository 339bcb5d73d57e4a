"""Bad input (issues 14, 16 items 13-17): a clear error or a correct report, the file intact."""

import copy
import json
import time
import zlib
from pathlib import Path

import pytest
import yaml

from fakes.server import FakeRequest, FakeResponse
from faults.harness import Outcome, run_world
from faults.injector import Injection
from faults.worlds import JiraWorld
from sprintsync.cli import main
from sprintsync.errors import PublishError
from sprintsync.sinks.file import write_atomically

SPRINTS = "/rest/agile/1.0/board/7/sprint"
SEARCH = "/rest/api/3/search/jql"
ISSUES = "/rest/api/3/issue/bulkfetch"  # the fields of the ids the id-only search found
OLD_REPORT = "# the report of yesterday\n"


def run(tmp_path, monkeypatch, capsys, **kwargs) -> Outcome:
    """`sprintsync run` over the sample Jira, the file destination holding yesterday's report."""
    out = tmp_path / "out" / "abc.md"
    out.parent.mkdir(parents=True)
    out.write_text(OLD_REPORT, encoding="utf-8")
    return run_world(JiraWorld(), tmp_path, monkeypatch=monkeypatch, capsys=capsys, **kwargs)


def rewrite(path: str, change) -> Injection:
    """Every answer to `path` passed through `change(body)`."""

    def transform(_request: FakeRequest, response: FakeResponse) -> FakeResponse:
        body = change(copy.deepcopy(response.body))  # the fake's own data stays as it was
        return FakeResponse(response.status, body, response.headers)

    return Injection(response=FakeResponse(), path_prefix=path, times=None, transform=transform)


def one_error(outcome: Outcome, code: int) -> str:
    """The run's only error line, after checking the exit code and that no traceback leaked."""
    assert outcome.code == code, outcome.stderr
    assert "Traceback" not in outcome.stderr
    [line] = outcome.error_lines()
    return line


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("endDate", "9999-12-31T23:59:59.000Z"),
        ("startDate", "0001-01-01T00:00:00.000+01:00"),
        ("endDate", 1e20),
    ],
)
def test_a_sprint_date_at_the_edge_of_time_is_a_clear_error(
    tmp_path, monkeypatch, capsys, key, value
):
    """Sprint end 9999-12-31, start 0001-01-01, epoch 1e20: exit 3 naming field and value."""

    def edge(body):
        for sprint in body["values"]:
            sprint[key] = value
            sprint.pop("activatedDate", None)
        return body

    outcome = run(tmp_path, monkeypatch, capsys, injection=rewrite(SPRINTS, edge))
    line = one_error(outcome, 3)
    assert "cannot use" in line
    assert repr(value) in line
    assert outcome.destination == OLD_REPORT


def test_as_of_at_the_end_of_time_is_a_cli_error(tmp_path, monkeypatch, capsys):
    """`--as-of 9999-12-31`: exit 2 naming the value, nothing requested."""
    outcome = run(tmp_path, monkeypatch, capsys, args=("--as-of", "9999-12-31"))
    assert outcome.code == 2
    assert "'9999-12-31'" in outcome.stderr
    assert outcome.destination == OLD_REPORT


def test_a_lone_surrogate_in_a_title_is_replaced_and_no_temp_file_is_left(
    tmp_path, monkeypatch, capsys
):
    """A title holding a lone surrogate publishes (as U+FFFD); no `.abc.md.*` temp file remains."""

    def poison(body):
        for issue in body.get("issues") or []:
            issue["fields"]["summary"] = "broken \ud800 title"
        return body

    injection = rewrite(ISSUES, poison)
    outcome = run(tmp_path, monkeypatch, capsys, injection=injection)
    assert outcome.code == 0, outcome.stderr
    assert "broken \ufffd title" in outcome.destination
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["abc.md"]


def test_a_failed_write_removes_its_temp_file_and_keeps_the_old_file(tmp_path):
    """Text the encoder refuses: a PublishError, the old file whole, no temp file."""
    target = tmp_path / "report.md"
    target.write_text(OLD_REPORT, encoding="utf-8")
    with pytest.raises(PublishError, match=f"cannot write the report to {target}"):
        write_atomically(target, "bad \ud800")
    assert target.read_text(encoding="utf-8") == OLD_REPORT
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def check(config: Path, capsys) -> tuple[int, list[str]]:
    """`sprintsync check`: exit code and the error lines."""
    capsys.readouterr()
    code = main(["check", "--config", str(config)])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line]


def write_team(tmp_path: Path, *, plan: str | None = None, path: str = "out/abc.md") -> Path:
    """A one-team config with a file destination (and a plan) beside it."""
    team = {
        "name": "abc",
        "source": {"type": "jira", "url": "https://x.atlassian.net", "board": 7},
        "publish": [{"type": "file", "path": path}],
    }
    if plan is not None:
        (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
        team["plan"] = "plan.yaml"
    config = tmp_path / "sprintsync.yaml"
    config.write_text(yaml.safe_dump({"timezone": "UTC", "teams": [team]}), encoding="utf-8")
    return config


@pytest.mark.parametrize("points", [".inf", "-.inf", ".nan", "1e308"])
def test_plan_points_that_are_no_usable_number_name_the_key(tmp_path, capsys, points):
    """Plan points `.inf` / `.nan` / 1e308: exit 2 naming items[0].points, one line."""
    plan = f"sprint: 41\nitems:\n  - {{id: a, title: A, points: {points}}}\n"
    code, lines = check(write_team(tmp_path, plan=plan), capsys)
    assert code == 2
    [line] = lines
    assert line.startswith("sprintsync: error: ")
    assert "items[0].points" in line


def test_every_plan_problem_is_its_own_error_line(tmp_path, capsys):
    """Three problems: three lines, each `sprintsync: error: FILE: KEY: ...`, none wrapped."""
    plan = (
        "sprint: 41\nitems:\n"
        "  - {id: a, title: A, points: -1}\n"
        '  - {id: b, title: "two\\nlines", points: x, bogus: 1}\n'
    )
    code, lines = check(write_team(tmp_path, plan=plan), capsys)
    assert code == 2
    assert len(lines) == 3
    assert all(line.startswith(f"sprintsync: error: {tmp_path / 'plan.yaml'}: ") for line in lines)


def test_a_huge_plan_file_is_refused_before_it_is_read(tmp_path, capsys):
    """A 50 MB plan (a 90 MB one ran out of memory): exit 2 at once, naming the size limit."""
    config = write_team(tmp_path, plan="")
    with (tmp_path / "plan.yaml").open("w", encoding="utf-8") as plan:
        plan.write("sprint: 41\nitems:\n")
        plan.write("  - {id: x, title: padding, points: 1}\n" * 1_300_000)
    started = time.monotonic()
    code, [line] = check(config, capsys)
    assert code == 2
    assert "plan file is larger than 1 MB" in line
    assert time.monotonic() - started < 5


def test_a_huge_config_file_is_refused(tmp_path, capsys):
    """A config file over 1 MB: exit 2 naming the file."""
    config = write_team(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "#" * 1_100_000, encoding="utf-8")
    code, [line] = check(config, capsys)
    assert code == 2
    assert f"{config}: the config file is larger than 1 MB" in line


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path, capsys):
    """Billion laughs in the config: exit 2 within seconds (keeps holding)."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}]\n"
        for i in range(8)
    )
    config = tmp_path / "sprintsync.yaml"
    config.write_text(bomb + "teams: []\n", encoding="utf-8")
    started = time.monotonic()
    code, lines = check(config, capsys)
    assert code == 2
    assert lines
    assert all(line.startswith("sprintsync: error: ") for line in lines)
    assert time.monotonic() - started < 5


def test_a_relative_file_destination_may_not_escape_the_config_folder(
    tmp_path, monkeypatch, capsys
):
    """`../../x.md`: exit 2 naming the key and the value; an absolute path is allowed."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")  # check asks for them
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    code, [line] = check(write_team(tmp_path, path="../../x.md"), capsys)
    assert code == 2
    assert "teams[0].publish[0].path" in line
    assert "'../../x.md'" in line
    assert check(write_team(tmp_path, path=str(tmp_path / "elsewhere" / "x.md")), capsys)[0] == 0


def test_a_file_destination_that_is_a_symlink_is_refused(tmp_path, monkeypatch, capsys):
    """The report path is a symbolic link: exit 2, the link and its target untouched."""
    target = tmp_path / "victim.md"
    target.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "out" / "abc.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    outcome = run_world(JiraWorld(), tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    line = one_error(outcome, 2)
    assert "symbolic link" in line
    assert str(link) in line
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "precious\n"


def test_a_sprint_with_no_issues_is_a_correct_empty_report(tmp_path, monkeypatch, capsys):
    """Zero issues in the sprint: exit 0 and a report of zeros."""

    def empty(body):
        return {**body, "issues": []} if "issues" in body else body

    outcome = run(tmp_path, monkeypatch, capsys, injection=rewrite(SEARCH, empty))
    assert outcome.code == 0, outcome.stderr
    assert outcome.destination != OLD_REPORT
    assert json.dumps(outcome.destination)


CHANGELOGS = "/rest/api/3/changelog/bulkfetch"
ITEMS = 1_000_000


def a_million_changelog_items() -> bytes:
    """One changelog history of 10^6 status items (~110 MB of JSON), gzip-compressed as sent.

    Compressed as it is generated, so the test never holds the 110 MB itself.
    """
    item = json.dumps(
        {
            "field": "status",
            "fieldtype": "jira",
            "fieldId": "status",
            "from": "1",
            "fromString": "To Do",
            "to": "3",
            "toString": "In Progress",
        }
    ).encode()
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # gzip framing, as Jira sends it
    head = (
        b'{"issueChangeLogs": [{"issueId": "10001", "changeHistories": [{"id": "1", '
        b'"created": "2026-11-18T09:00:00.000+0000", "items": ['
    )
    parts = [compressor.compress(head)]
    batch = b",".join([item] * 1000)
    parts.extend(
        compressor.compress((b"," if index else b"") + batch) for index in range(ITEMS // 1000)
    )
    parts.append(compressor.compress(b"]}]}]}") + compressor.flush())
    return b"".join(parts)


def test_an_answer_of_a_million_changelog_items_is_refused_in_bounded_time(
    tmp_path, monkeypatch, capsys
):
    """10^6 items in one history: exit 3 naming Jira and the cap, the file as it was."""
    body = a_million_changelog_items()
    assert len(body) < 2 * 1024 * 1024  # small on the wire; 110 MB once decoded
    answer = FakeResponse(
        200, raw=body, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )
    started = time.monotonic()
    outcome = run(
        tmp_path,
        monkeypatch,
        capsys,
        injection=Injection(response=answer, path_prefix=CHANGELOGS, times=None),
    )
    line = one_error(outcome, 3)
    assert "Jira answered" in line
    assert "grew past 64 MiB" in line
    assert outcome.destination == OLD_REPORT
    assert time.monotonic() - started < 60  # a stop, not a 110 MB parse (~1 GB of objects)
