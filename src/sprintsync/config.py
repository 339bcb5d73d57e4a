"""Settings from one YAML file plus the environment; the only reader of either."""

from __future__ import annotations

import contextvars
import os
from pathlib import Path
from typing import Annotated, Any, Literal
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
    done_statuses: tuple[str, ...] | None = None  # overrides the board's right-most column
    estimation_field: str | None = None  # overrides the board's estimation field id


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
    jira_server_id: str | None = None  # application-link id for Jira macros; else plain links


class GitHubCommentSinkConfig(StrictModel):
    """`publish: [{type: github_comment}]`: one sticky comment per team and sprint."""

    type: Literal["github_comment"]
    repo: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    issue: int
    mode: Literal["update", "daily"] = "update"
    api_url: str = "https://api.github.com"
    # The token's own login: only its comments are edited or deleted (API-NOTES §C.2).
    author: Annotated[str, Field(min_length=1, max_length=100)] | None = None  # else asked


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


ReportSection = Literal["forecast", "blockers", "stuck", "changes", "data_quality"]


class ReportConfig(StrictModel):
    """`report:` the optional sections (docs/read-the-report.md); none by default."""

    sections: tuple[ReportSection, ...] = ()
    stuck_after_days: Annotated[int, Field(ge=0, le=100)] = 3


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

    def values(self) -> list[str]:
        """Every secret value that is set (for redaction)."""
        found = [self.jira_token, self.jira_pat, self.confluence_token, self.confluence_pat]
        found.append(self.github_token)
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
        raise ConfigError(describe_validation_error(path, error)) from None
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
        raise ConfigError(f"{path}: {what} not found") from None
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


def describe_validation_error(path: Path, error: ValidationError) -> str:
    """One line per problem: `file: key.path: what was expected (got value)`."""
    lines = []
    for problem in error.errors(include_url=False):
        if problem["type"] == "too_short" and problem.get("input"):
            continue  # pydantic repeats a bad item as "too short" when the list is not empty
        key = _key_path(problem["loc"])
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown key (check its spelling against config/example.yaml)"
        elif problem["type"] == "missing":
            message = "required key is missing"
        elif "input" in problem and not isinstance(problem["input"], dict | list):
            message += f" (got {_short(problem['input'])})"
        lines.append(" ".join(f"{path}: {key}: {message}".split()))
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
            raise ConfigError(
                f"{path}: {key}: expected an IANA time zone such as Europe/Berlin, got {zone!r}"
            ) from None


def load_secrets() -> Secrets:
    """Credentials from the environment."""
    return Secrets()


def environment() -> dict[str, str]:
    """The process environment (GitHub Actions files and the like), read here and only here."""
    return dict(os.environ)
