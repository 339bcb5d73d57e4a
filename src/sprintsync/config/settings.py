"""Settings from one YAML file plus the environment; the only reader of either."""

from __future__ import annotations

import contextvars
import difflib
import os
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from sprintsync.domain.text import SURROGATE_ESCAPE, clean_strings
from sprintsync.errors import ConfigError

MAX_FILE_BYTES = 1_000_000  # a config or plan file; real ones are a few kilobytes
MAX_PROBLEMS = 20  # validation problems listed, one line each; the rest are counted
REPO_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"  # owner/name
_yaml_data: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("_yaml_data")


class StrictModel(BaseModel):
    """A config or plan mapping: unknown keys are errors (a typo fails loudly), values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class JiraSourceConfig(StrictModel):
    """`source: {type: jira}`: a Jira Cloud or Data Center board."""

    type: Literal["jira"]
    url: str
    board: int
    sprint: int | str = "active"
    count_subtasks: bool = False
    deployment: Literal["cloud", "datacenter"] | None = None
    # Scoped API tokens and OAuth reach Cloud only through https://api.atlassian.com/ex/jira/ID
    api_url: str | None = None  # requests go here; `url` stays the site for links (Cloud)
    done_statuses: tuple[str, ...] | None = None  # overrides the board's right-most column
    estimation_field: str | None = None  # overrides the board's estimation field id


class GitHubBlockedConfig(StrictModel):
    """`source.blocked`: what marks a GitHub Projects item blocked (a label and/or an option).

    Either or both: an item is blocked when its issue or pull request carries `label`, or when
    its single-select `field` is set to `option` (docs/configure-a-team.md).
    """

    label: Annotated[str, Field(min_length=1)] | None = None  # matched ignoring case, as GitHub
    field: Annotated[str, Field(min_length=1)] | None = None
    option: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _label_or_field_and_option(self) -> GitHubBlockedConfig:
        if (self.field is None) != (self.option is None):
            raise ValueError("field and option go together (e.g. field: Status, option: Blocked)")
        if self.label is None and self.field is None:
            raise ValueError("expected a label, or a field and an option (or both)")
        return self


class GitHubSourceConfig(StrictModel):
    """`source: {type: github}`: a GitHub Projects (v2) board."""

    type: Literal["github"]
    owner: str
    project: int
    iteration: str = "current"
    iteration_field: str = "Iteration"
    points_field: str = "Story Points"
    status_field: str = "Status"
    done: tuple[str, ...] = ("Done",)
    in_progress: tuple[str, ...] = ("In Progress",)
    blocked: GitHubBlockedConfig | None = None  # unset: no item is ever blocked
    api_url: str = "https://api.github.com"


class FileSinkConfig(StrictModel):
    """`publish: [{type: file}]`: Markdown, status JSON, storage XHTML or a burndown SVG."""

    type: Literal["file"]
    path: str

    @field_validator("path")
    @classmethod
    def _known_extension(cls, value: str) -> str:
        if Path(value).suffix.lower() not in {".md", ".json", ".xhtml", ".svg"}:
            raise ValueError(f"expected a path ending in .md, .json, .xhtml or .svg, got {value!r}")
        relative = Path(value).expanduser()
        if not relative.is_absolute() and Path(os.path.normpath(relative)).parts[:1] == ("..",):
            raise ValueError(
                f"a relative path must stay inside the config file's folder, got {value!r}; "
                "write an absolute path to put the report elsewhere"
            )
        return value


class ConfluenceSinkConfig(StrictModel):
    """`publish: [{type: confluence}]`: one page per sprint, updated in place."""

    type: Literal["confluence"]
    url: str
    space: str
    parent: str | None = None
    title: str = "{sprint} Daily Status Report"
    deployment: Literal["cloud", "datacenter"] | None = None
    # Scoped tokens / OAuth: https://api.atlassian.com/ex/confluence/ID (`/wiki` is added)
    api_url: str | None = None
    jira_server_id: str | None = None  # application-link id for Jira macros; else plain links


class GitHubCommentSinkConfig(StrictModel):
    """`publish: [{type: github_comment}]`: one sticky comment per team and sprint."""

    type: Literal["github_comment"]
    # Absent: the GitHub Actions run's own repository and pull request or issue (compose).
    repo: Annotated[str, Field(pattern=REPO_PATTERN)] | None = None
    issue: Annotated[int, Field(ge=1)] | None = None
    mode: Literal["update", "daily"] = "update"
    api_url: str = "https://api.github.com"
    # The token's own login: only its comments are edited or deleted (API-NOTES §C.2).
    author: Annotated[str, Field(min_length=1, max_length=100)] | None = None  # else asked
    hide_previous: bool = False  # daily: minimise our earlier days' comments as outdated

    @model_validator(mode="after")
    def _hide_needs_daily(self) -> GitHubCommentSinkConfig:
        if self.hide_previous and self.mode != "daily":
            raise ValueError("hide_previous: true needs mode: daily (update keeps one comment)")
        return self


SourceConfig = Annotated[JiraSourceConfig | GitHubSourceConfig, Field(discriminator="type")]
SinkConfig = Annotated[
    FileSinkConfig | ConfluenceSinkConfig | GitHubCommentSinkConfig, Field(discriminator="type")
]


class TeamConfig(StrictModel):
    """One team: where its sprint comes from, its plan, and where its report goes."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    timezone: str | None = None
    source: SourceConfig
    plan: str | None = None
    publish: tuple[SinkConfig, ...] = ()


class HttpConfig(StrictModel):
    """`http:` the retry policy and the run's time budget (README: Retries)."""

    timeout_seconds: float = 30.0
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 5
    base_wait_seconds: Annotated[float, Field(ge=0)] = 2.0
    max_wait_seconds: Annotated[float, Field(ge=0)] = 60.0
    budget_seconds: Annotated[float, Field(ge=0)] = 300.0
    max_in_flight_per_host: Annotated[int, Field(ge=1, le=32)] = 8
    allow_insecure_http: bool = False  # plain http:// to a non-loopback host (logged)


class StateConfig(StrictModel):
    """`state:` where snapshots (GitHub history) and run locks live."""

    path: str | None = None


ReportSection = Literal["forecast", "blockers", "stuck", "changes", "data_quality", "velocity"]


class ReportConfig(StrictModel):
    """`report:` the optional sections (docs/read-the-report.md); none by default."""

    sections: tuple[ReportSection, ...] = ()
    stuck_after_days: Annotated[int, Field(ge=0, le=100)] = 3
    velocity_sprints: Annotated[int, Field(ge=1, le=50)] = 6  # closed sprints in `velocity`


class IndexConfig(StrictModel):
    """`index:` a Markdown file with one row per team (docs/configure-a-team.md)."""

    path: Annotated[str, Field(min_length=4, pattern=r"(?i)\.md$")]


class Settings(BaseSettings):
    """The whole config file; environment variables `SPRINTSYNC_<KEY>` override top-level keys."""

    model_config = SettingsConfigDict(
        extra="forbid", env_prefix="SPRINTSYNC_", env_nested_delimiter="__", frozen=True
    )

    timezone: str = "UTC"
    templates: str | None = None
    concurrent_teams: Annotated[int, Field(ge=1, le=32)] = 4
    http: HttpConfig = HttpConfig()
    state: StateConfig = StateConfig()
    report: ReportConfig = ReportConfig()
    index: IndexConfig | None = None
    teams: Annotated[tuple[TeamConfig, ...], Field(min_length=1)]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - no .env files, on purpose
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence, highest first: explicit values, then the environment, then the YAML."""
        return (init_settings, env_settings, _YamlDataSource(settings_cls))


class _YamlDataSource(PydanticBaseSettingsSource):
    """The YAML file's mapping, parsed by `load_settings` (so YAML errors name file and line)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # noqa: ANN401, ARG002
        return _yaml_data.get({}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_yaml_data.get({}))


class Secrets(BaseSettings):
    """Credentials, read only from the environment; never from the YAML file."""

    model_config = SettingsConfigDict(env_prefix="SPRINTSYNC_", extra="ignore", frozen=True)

    jira_email: str | None = None
    jira_token: SecretStr | None = None
    jira_pat: SecretStr | None = None
    confluence_email: str | None = None
    confluence_token: SecretStr | None = None
    confluence_pat: SecretStr | None = None
    github_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SPRINTSYNC_GITHUB_TOKEN", "GITHUB_TOKEN")
    )
    # Reads Projects (v2), which GITHUB_TOKEN cannot (API-NOTES §0.7); else github_token.
    github_projects_token: SecretStr | None = None

    def projects_token(self) -> SecretStr | None:
        """The token the GitHub Projects source sends: its own, else the comments' token."""
        return self.github_projects_token or self.github_token

    def values(self) -> list[str]:
        """Every secret value that is set (for redaction)."""
        found = [self.jira_token, self.jira_pat, self.confluence_token, self.confluence_pat]
        found += [self.github_token, self.github_projects_token]
        return [s.get_secret_value() for s in found if s is not None and s.get_secret_value()]


class LoadedConfig(BaseModel):
    """Settings plus where they came from (relative paths resolve against `base_dir`)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    settings: Settings

    @property
    def base_dir(self) -> Path:
        """The config file's folder."""
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    def team(self, name: str) -> TeamConfig:
        """The team called `name`, or a ConfigError listing the teams there are."""
        for team in self.settings.teams:
            if team.name == name:
                return team
        known = ", ".join(t.name for t in self.settings.teams)
        raise ConfigError(f"{self.path}: no team named {name!r} (teams: {known})")

    def timezone_of(self, team: TeamConfig) -> ZoneInfo:
        """The team's IANA time zone (its own, else the file's)."""
        return ZoneInfo(team.timezone or self.settings.timezone)

    def state_path(self) -> Path:
        """The snapshot store: `state.path`, else `.sprintsync/state.db` beside the config."""
        configured = self.settings.state.path
        return self.resolve(configured) if configured else self.base_dir / ".sprintsync/state.db"


def load_settings(path: Path) -> LoadedConfig:
    """Read and validate the config file; every problem is a ConfigError naming file and key."""
    data = read_yaml_mapping(path, what="config file")
    token = _yaml_data.set(data)
    try:
        settings = Settings()  # type: ignore[call-arg]  # teams come from the YAML source
    except ValidationError as error:
        raise ConfigError(describe_validation_error(path, error, root=Settings)) from None
    finally:
        _yaml_data.reset(token)
    _check_timezones(path, settings)
    return LoadedConfig(path=path, settings=settings)


class _DatesAsTextLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic reports a bad date with its key."""


_DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml_mapping(path: Path, *, what: str) -> dict[str, Any]:
    """A YAML file's top-level mapping, or a ConfigError naming the file (and line).

    A file over `MAX_FILE_BYTES` is refused before it is read (YAML of 50 MB takes minutes
    and gigabytes to load).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ConfigError(
                f"{path}: the {what} is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                "expected a small YAML file"
            )
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: the {what} is not UTF-8 text (byte {error.start}: {error.reason})"
        ) from None
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: {what} not found; `sprintsync init` writes a commented config and a plan "
            "skeleton for the current sprint"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the {what} ({error.strerror})") from None
    try:
        data = yaml.load(text, Loader=_DatesAsTextLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: {what} is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top of the {what}")
    return clean_strings(data) if SURROGATE_ESCAPE.search(text) else data


def describe_validation_error(
    path: Path, error: ValidationError, *, root: type[BaseModel] | None = None
) -> str:
    """One line per problem: `file: key.path: what was expected (got value)`.

    A value that came from an environment override names the variable instead of the file;
    an unknown key of `root`'s tree gets "did you mean" and the keys allowed there.
    """
    lines = []
    for problem in error.errors(include_url=False):
        if problem["type"] == "too_short" and problem.get("input"):
            continue  # pydantic repeats a bad item as "too short" when the list is not empty
        key = _key_path(problem["loc"])
        if problem["type"] == "extra_forbidden":
            message = unknown_key_message(problem["loc"], root)
        elif problem["type"] == "missing":
            message = "required key is missing"
        else:
            message = expected_message(problem)
            if "input" in problem and not isinstance(problem["input"], dict | list):
                message += f" (got {_short(problem['input'])})"
        variable = _env_override(problem["loc"]) if root is Settings else None
        where = f"{variable} (environment override of {key})" if variable else f"{path}: {key}"
        lines.append(" ".join(f"{where}: {message}".split()))
    if len(lines) > MAX_PROBLEMS:
        lines[MAX_PROBLEMS:] = [f"{path}: {len(lines) - MAX_PROBLEMS} more problems not shown"]
    return "\n".join(lines)


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."


def _key_path(location: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part in {"jira", "github", "file", "confluence", "github_comment"}:
            continue  # the discriminator's branch name is not a key the user wrote
        else:
            parts.append(f".{part}" if parts else part)
    return "".join(parts) or "(top level)"


def _check_timezones(path: Path, settings: Settings) -> None:
    zones = [("timezone", settings.timezone)]
    zones += [
        (f"teams[{i}].timezone", t.timezone) for i, t in enumerate(settings.teams) if t.timezone
    ]
    for key, zone in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            variable = _env_override(("timezone",)) if key == "timezone" else None
            where = f"{variable} (environment override of timezone)" if variable else path
            raise ConfigError(
                f"{where}: {key}: expected an IANA time zone such as Europe/Berlin, got {zone!r}"
            ) from None


def load_secrets() -> Secrets:
    """Credentials from the environment."""
    return Secrets()


def environment() -> dict[str, str]:
    """The process environment (GitHub Actions files and the like), read here and only here."""
    return dict(os.environ)


CONFIG_SCHEMA_ID = "https://sprintsync.invalid/config.schema.json"  # a name, never fetched


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of the config file, generated from the models above (editors complete keys).

    Shipped as `sprintsync/config.schema.json`; `sprintsync schema config` prints it.
    """
    schema = Settings.model_json_schema()
    schema["description"] = (
        "sprintsync config file. Secrets never go here: they come from SPRINTSYNC_* variables."
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": CONFIG_SCHEMA_ID,
        **schema,
    }


# --- Messages that say what is expected (issue 13: errors that point the right way) ---

_TAGS = frozenset({"jira", "github", "file", "confluence", "github_comment"})
# What a list-valued key holds, for "expected a list of ..." (pydantic says "a valid tuple").
_LIST_OF = {
    "teams": "teams (each a mapping with name, source and publish)",
    "publish": "destinations (each a mapping with a type: file, confluence or github_comment)",
    "done_statuses": "status names",
    "done": "status names",
    "in_progress": "status names",
}
# What a key with a `pattern` holds, instead of the regular expression pydantic quotes.
_PATTERN_MEANS = {
    "repo": "owner/name, such as acme/web",
    "name": "a name of letters, digits, '_', '.' or '-' that starts with a letter or digit",
}
_TYPE_MEANS = {
    "int_parsing": "expected a whole number (an integer)",
    "int_type": "expected a whole number (an integer)",
    "int_from_float": "expected a whole number (an integer)",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "dict_type": "expected a mapping of keys",
    "model_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
}


def expected_message(problem: Any) -> str:  # noqa: ANN401 - a pydantic ErrorDetails
    """What the value should have been, in the config's words rather than pydantic's."""
    kind, loc = problem["type"], problem["loc"]
    field = next((p for p in reversed(loc) if isinstance(p, str) and p not in _TAGS), "")
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list of {_LIST_OF.get(field, 'values')}"
    if kind == "string_pattern_mismatch" and field in _PATTERN_MEANS:
        return f"expected {_PATTERN_MEANS[field]}"
    if kind in _TYPE_MEANS:
        return _TYPE_MEANS[kind]
    if kind == "union_tag_invalid":
        tags = problem.get("ctx", {}).get("expected_tags", "")
        return f"expected type: one of {tags}"
    message = str(problem["msg"])
    if message.startswith("Input should be "):
        return "expected " + message.removeprefix("Input should be ")
    return message.removeprefix("Value error, ")


def unknown_key_message(location: tuple[int | str, ...], root: type[BaseModel] | None) -> str:
    """`unknown key`, the closest allowed key ("did you mean") and every key allowed there."""
    if root is None:
        return "unknown key"
    allowed = sorted(
        {name for model in _models_at(root, location[:-1]) for name in model.model_fields}
    )
    close = difflib.get_close_matches(str(location[-1]), allowed, n=1, cutoff=0.6)
    guess = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key{guess} (keys allowed here: {', '.join(allowed)})"


def _models_at(root: type[BaseModel], location: tuple[int | str, ...]) -> list[type[BaseModel]]:
    models = [root]
    for part in location:
        if isinstance(part, int):
            continue
        if part in _TAGS:
            tagged = [m for m in models if _tag_of(m) == part]
            models = tagged or models
            continue
        inner = [m.model_fields[part].annotation for m in models if part in m.model_fields]
        models = [found for annotation in inner for found in _models_in(annotation)]
    return models


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("type")
    args = get_args(field.annotation) if field else ()
    return str(args[0]) if args else None


def _env_override(location: tuple[int | str, ...]) -> str | None:
    """The `SPRINTSYNC_A__B` variable that set the value at `location`, if one is set."""
    names = {name.upper() for name in os.environ}
    for length in range(len(location), 0, -1):  # the variable may set a parent mapping
        parts = location[:length]
        if any(isinstance(part, int) for part in parts):
            continue
        variable = "SPRINTSYNC_" + "__".join(str(part).upper() for part in parts)
        if variable in names:
            return variable
    return None
