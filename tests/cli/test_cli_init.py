import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from fakes.jira_sample import sample_jira
from sprintsync.cli import build_parser, main
from sprintsync.config import config_json_schema, load_secrets
from sprintsync.scaffold import run_command
from sprintsync.scaffold.commands import shipped_schema_path

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = config_json_schema()


def _init(tmp_path: Path, *extra: str) -> int:
    return main(
        [
            "init",
            "--team",
            "checkout",
            "--out",
            str(tmp_path / "sprintsync.yaml"),
            "--plan-out",
            str(tmp_path / "plans/current.yaml"),
            *extra,
        ]
    )


JIRA_TO_FILE = (
    "--tracker",
    "jira",
    "--url",
    "https://acme.atlassian.net",
    "--board",
    "7",
    "--destination",
    "file",
    "--path",
    "out/checkout.md",
)


@pytest.fixture
def no_credentials(monkeypatch):
    """No tracker credential in the environment."""
    for name in (
        "SPRINTSYNC_JIRA_EMAIL",
        "SPRINTSYNC_JIRA_TOKEN",
        "SPRINTSYNC_JIRA_PAT",
        "SPRINTSYNC_GITHUB_TOKEN",
        "GITHUB_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def credentials_set(monkeypatch):
    """Every credential the written configs name, as `check` requires them (fake values)."""
    for name in (
        "SPRINTSYNC_JIRA_EMAIL",
        "SPRINTSYNC_JIRA_TOKEN",
        "SPRINTSYNC_JIRA_PAT",
        "SPRINTSYNC_GITHUB_TOKEN",
        "SPRINTSYNC_CONFLUENCE_PAT",
    ):
        monkeypatch.setenv(name, "fake-value-for-check")


def same_meaning(schema: object) -> object:
    """`schema` without spellings that differ between pydantic releases for the same meaning.

    pydantic 2.7 writes a literal as `{"const": X, "enum": [X]}` and a reference with a
    default as `{"allOf": [{"$ref": R}]}`; later releases write `const` and `$ref`.
    """
    if isinstance(schema, dict):
        kept = {k: same_meaning(v) for k, v in schema.items()}
        if "const" in kept and kept.get("enum") == [kept["const"]]:
            del kept["enum"]
        only = kept.get("allOf")
        if isinstance(only, list) and len(only) == 1 and set(only[0]) == {"$ref"}:
            del kept["allOf"]
            kept["$ref"] = only[0]["$ref"]
        return kept
    if isinstance(schema, list):
        return [same_meaning(item) for item in schema]
    return schema


def test_shipped_schema_is_the_generated_one():
    """sprintsync/config.schema.json is what `sprintsync schema config` generates."""
    shipped = json.loads(shipped_schema_path().read_text(encoding="utf-8"))
    assert same_meaning(shipped) == same_meaning(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(shipped)


def test_schema_command_prints_the_schema(capsys):
    """`sprintsync schema config` prints the JSON Schema, exit 0."""
    assert main(["schema", "config"]) == 0
    assert json.loads(capsys.readouterr().out) == SCHEMA


def test_example_config_names_the_schema_and_validates():
    """config/example.yaml carries the yaml-language-server line and passes the schema."""
    text = (ROOT / "config/example.yaml").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == "# yaml-language-server: $schema=../src/sprintsync/config.schema.json"
    assert (ROOT / "config" / first.split("=", 1)[1]).resolve() == shipped_schema_path().resolve()
    jsonschema.validate(yaml.safe_load(text), SCHEMA)


def test_init_with_flags_writes_a_config_that_checks(tmp_path, no_credentials, capsys):
    """Flags alone: a commented config that passes `check` and the schema, and a skeleton."""
    assert _init(tmp_path, *JIRA_TO_FILE) == 0
    config = tmp_path / "sprintsync.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={shipped_schema_path().as_uri()}\n")
    assert "SPRINTSYNC_JIRA_EMAIL" in text
    jsonschema.validate(yaml.safe_load(text), SCHEMA)
    plan = (tmp_path / "plans/current.yaml").read_text(encoding="utf-8")
    assert "no credentials were found" in plan
    capsys.readouterr()
    credentials_set(no_credentials)
    assert main(["check", "--config", str(config)]) == 0
    assert "OK (1 team(s), 1 plan(s))" in capsys.readouterr().out


@pytest.mark.parametrize(
    "flags",
    [
        (
            "--tracker",
            "github",
            "--owner",
            "acme",
            "--project",
            "5",
            "--destination",
            "github_comment",
            "--repo",
            "acme/shop",
            "--issue",
            "42",
        ),
        (
            "--tracker",
            "jira",
            "--url",
            "https://jira.acme.example",
            "--deployment",
            "datacenter",
            "--board",
            "12",
            "--destination",
            "confluence",
            "--confluence-url",
            "https://wiki.acme.example",
            "--space",
            "ENG",
            "--parent",
            "123",
        ),
    ],
    ids=["github-to-comment", "jira-dc-to-confluence"],
)
def test_every_tracker_and_destination_writes_a_valid_config(tmp_path, no_credentials, flags):
    """Each tracker and destination init offers makes a config the schema and `check` accept."""
    assert _init(tmp_path, *flags) == 0
    config = tmp_path / "sprintsync.yaml"
    jsonschema.validate(yaml.safe_load(config.read_text(encoding="utf-8")), SCHEMA)
    credentials_set(no_credentials)
    assert main(["check", "--config", str(config)]) == 0


def test_init_never_overwrites(tmp_path, no_credentials, capsys):
    """An existing config or plan is left alone: exit 2 naming it, and nothing else written."""
    existing = tmp_path / "plans/current.yaml"
    existing.parent.mkdir()
    existing.write_text("mine\n", encoding="utf-8")
    assert _init(tmp_path, *JIRA_TO_FILE) == 2
    err = capsys.readouterr().err
    assert f"{existing}: already exists; sprintsync init never overwrites a file" in err
    assert existing.read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "sprintsync.yaml").exists()


def test_init_without_a_terminal_names_the_missing_flag(tmp_path, no_credentials, capsys):
    """Not on a terminal, a missing answer is exit 2 naming its flag and its choices."""
    assert _init(tmp_path, "--tracker", "jira", "--url", "https://acme.atlassian.net") == 2
    assert "--board is required when stdin is not a terminal" in capsys.readouterr().err


def test_init_asks_on_a_terminal(tmp_path, no_credentials):
    """Answers missing from the flags are asked, in order, and a wrong choice is asked again."""
    answers = iter(["", "jiraa", "jira", "https://acme.atlassian.net", "7", "file", "", ""])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    args = build_parser().parse_args(
        ["init", "--out", str(tmp_path / "s.yaml"), "--plan-out", str(tmp_path / "p.yaml")]
    )
    out = io.StringIO()
    code = run_command(args, stdout=out, stderr=out, secrets=load_secrets(), ask=ask)
    assert code == 0
    assert prompts[1] == prompts[2] == "Tracker [jira/github]: "
    config = yaml.safe_load((tmp_path / "s.yaml").read_text(encoding="utf-8"))
    assert config["teams"][0]["name"] == "team"
    assert config["teams"][0]["publish"] == [{"type": "file", "path": "out/team.md"}]


def test_init_reads_the_current_sprint_from_jira(tmp_path, monkeypatch):
    """With credentials, the plan skeleton is the tracker's current sprint and its issues."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    with sample_jira().running() as server:
        code = _init(
            tmp_path,
            "--tracker",
            "jira",
            "--url",
            server.url,
            "--deployment",
            "cloud",
            "--board",
            "7",
            "--destination",
            "file",
            "--now",
            "2026-11-20T12:00:00+00:00",
        )
    assert code == 0
    plan = yaml.safe_load((tmp_path / "plans/current.yaml").read_text(encoding="utf-8"))
    assert plan["sprint"] == "ABC Sprint 42"
    assert str(plan["start"]) == "2026-11-10"
    keys = {item["id"] for item in plan["items"]}
    assert {"ABC-1", "ABC-3", "ABC-4"} <= keys
    assert "ABC-2" not in keys  # removed mid-sprint
    assert main(["check", "--config", str(tmp_path / "sprintsync.yaml")]) == 0
