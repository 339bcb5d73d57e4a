"""Pure parsing of Jira wire values: timestamps, sprints, board configuration and fields."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sprintsync.domain import Sprint, WorkState
from sprintsync.errors import ConfigError, UpstreamError

# Issue fields carry "+0000"/"-0800" (no colon); sprints carry "Z" (API-NOTES A.0).
_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
# The moments a sprint's days can be laid out between (a sprint ending in 9999 cannot).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# bulkfetch's spec example gives `created` as an epoch int (API-NOTES A.2.1): ms above this.
_EPOCH_MS_THRESHOLD = 1e11
IssueT = TypeVar("IssueT", bound=Mapping[str, Any])
SPRINT_FIELD_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
STORY_POINTS_TYPE = "com.pyxis.greenhopper.jira:jsw-story-points"
FLOAT_TYPE = "com.atlassian.jira.plugin.system.customfieldtypes:float"
STORY_POINT_NAMES = ("story point estimate", "story points")
# Data Center's legacy Sprint field string (API-NOTES A.9): the id is the first attribute;
# later ones (name, goal) may hold commas and brackets, so only `[id=` is read.
_LEGACY_SPRINT_ID = re.compile(
    r"^com\.atlassian\.greenhopper\.service\.sprint\.Sprint@\w*\[id=(\d+)[,\]]"
)


def parse_time(value: object, *, field: str = "a timestamp") -> datetime:
    """An aware datetime from a Jira timestamp: ISO with `Z`/`+0000`/`-08:00`, or epoch s/ms.

    Moments outside [EARLIEST, LATEST) are refused (exit 3) naming `field` and the value: a
    sprint that ends in 9999 or began in year 1 cannot be laid out day by day.
    """
    moment = _parse_time(value)
    if moment is not None and not EARLIEST <= moment < LATEST:
        raise UpstreamError(
            f"Jira sent {field} sprintsync cannot use: {value!r} (expected a moment between "
            f"{EARLIEST.year} and {LATEST.year})",
            service="Jira",
        )
    if moment is None:
        raise UpstreamError(
            f"Jira sent a timestamp sprintsync cannot read: {value!r} "
            "(expected ISO-8601 with an offset, or epoch seconds/milliseconds)",
            service="Jira",
        )
    return moment


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    if isinstance(value, str) and value.strip().isdigit():
        return _from_epoch(float(value))
    moment = _from_iso(value.strip()) if isinstance(value, str) else None
    return None if moment is None or moment.tzinfo is None else moment


def _from_iso(text: str) -> datetime | None:
    """Python 3.11 reads Jira's `+0000` itself; older spellings get the colon put in first."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(_OFFSET_NO_COLON.sub(r"\1:\2", text))
    except ValueError:
        return None


def unique_by_id(issues: Sequence[IssueT]) -> list[IssueT]:
    """Search hits with each issue id once (the first): a page may repeat an earlier hit."""
    first: dict[str, IssueT] = {}
    for issue in issues:
        first.setdefault(str(issue.get("id")), issue)
    return list(first.values())


def to_sprint_id(value: object) -> str | None:
    """The id of one Sprint field value: a JSON object, or DC's legacy `...Sprint@x[id=266,...]`."""
    if isinstance(value, dict):
        found = value.get("id")
        return None if found is None else str(found)
    if isinstance(value, str):
        legacy = _LEGACY_SPRINT_ID.match(value.strip())
        return legacy.group(1) if legacy else None
    return None


# The state attribute of a legacy string (ACTIVE, FUTURE, CLOSED); it holds no comma.
_LEGACY_SPRINT_STATE = re.compile(r"[\[,]state=([A-Za-z]+)[,\]]")
OPEN_SPRINT_STATES = frozenset({"active", "future"})


def to_open_sprints(value: object) -> tuple[tuple[str, str, str], ...]:
    """(id, name, state) of each active or future sprint in a Sprint field value.

    A legacy string's name may hold commas and brackets, so it is named by its id.
    """
    found = []
    for entry in value if isinstance(value, list) else ():
        sprint_id = to_sprint_id(entry)
        if sprint_id is None:
            continue
        if isinstance(entry, dict):
            state, name = str(entry.get("state") or "").lower(), entry.get("name")
        else:
            legacy = _LEGACY_SPRINT_STATE.search(str(entry))
            state, name = (legacy.group(1).lower() if legacy else ""), None
        if state in OPEN_SPRINT_STATES:
            found.append((sprint_id, str(name or f"sprint {sprint_id}"), state))
    return tuple(found)


def to_sprint_ids(value: object) -> frozenset[str]:
    """The sprint ids of a Sprint field (a list of objects or legacy strings; null is none)."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(i for i in map(to_sprint_id, value) if i is not None)


def _from_epoch(number: float) -> datetime:
    seconds = number / 1000 if number > _EPOCH_MS_THRESHOLD else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):  # 1e20: past year 9999
        return datetime.max.replace(tzinfo=UTC)


def to_sprint(raw: Mapping[str, Any], *, board_url: str | None = None) -> Sprint:
    """A domain Sprint from an Agile sprint object; `start` is `activatedDate` else `startDate`."""
    start = raw.get("activatedDate") or raw.get("startDate")
    if not start:
        raise ConfigError(
            f"sprint {raw.get('id')} ({raw.get('name')!r}) has not been started: no start date"
        )
    end = raw.get("endDate")
    complete = raw.get("completeDate")
    return Sprint(
        id=str(raw["id"]),
        name=str(raw.get("name", "")),
        state=str(raw.get("state", "")),
        start=parse_time(start, field=f"sprint {raw.get('id')} start date"),
        end=parse_time(end, field=f"sprint {raw.get('id')} endDate") if end else None,
        complete=parse_time(complete, field=f"sprint {raw.get('id')} completeDate")
        if complete
        else None,
        goal=str(raw.get("goal") or ""),
        board_url=board_url,
    )


def select_sprint(
    sprints: Sequence[Mapping[str, Any]], wanted: int | str, *, board: int
) -> Mapping[str, Any]:
    """The sprint the config names: `"active"` (exactly one), an id, or an exact name."""
    names = ", ".join(f"{s.get('name')!r} (id {s.get('id')}, {s.get('state')})" for s in sprints)
    if wanted == "active":
        active = [s for s in sprints if s.get("state") == "active"]
        if len(active) == 1:
            return active[0]
        problem = "no active sprint" if not active else f"{len(active)} active sprints"
        raise UpstreamError(
            f"board {board} has {problem}; set the sprint to an id or a name "
            f"(sprints: {names or 'none'})",
            service="Jira",
        )
    by_name = [s for s in sprints if isinstance(wanted, str) and s.get("name") == wanted]
    if by_name:
        return by_name[0]
    by_id = [s for s in sprints if str(s.get("id")) == str(wanted)]
    if by_id:
        return by_id[0]
    # Known only once Jira answered: a service answer (exit 3), as README's exit codes say.
    raise UpstreamError(
        f"sprint {wanted!r} not found on board {board} (sprints: {names or 'none'})",
        service="Jira",
        status=404,
    )


@dataclass(frozen=True)
class BoardConfig:
    """What the board configuration tells us: column of each status, estimate field, filter."""

    filter_id: str | None
    column_of_status: Mapping[str, int]  # status id -> index among columns that have statuses
    column_count: int
    estimation_field: str | None
    project_key: str | None = None


def to_board_config(raw: Mapping[str, Any]) -> BoardConfig:
    """Parse `GET /rest/agile/1.0/board/{id}/configuration` (API-NOTES A.5.4)."""
    columns = (raw.get("columnConfig") or {}).get("columns") or []
    with_statuses = [c for c in columns if c.get("statuses")]
    column_of_status = {
        str(status["id"]): index
        for index, column in enumerate(with_statuses)
        for status in column["statuses"]
    }
    estimation = raw.get("estimation") or {}
    field_id = (estimation.get("field") or {}).get("fieldId")
    location = raw.get("location") or {}
    return BoardConfig(
        filter_id=str((raw.get("filter") or {}).get("id") or "") or None,
        column_of_status=column_of_status,
        column_count=len(with_statuses),
        estimation_field=field_id if estimation.get("type") == "field" and field_id else None,
        project_key=location.get("key") or location.get("projectKeyOrId"),
    )


@dataclass(frozen=True)
class StateMap:
    """Board state of a status: last column with statuses is Done, the first To Do (A.5.4)."""

    board: BoardConfig
    done_statuses: tuple[str, ...] | None = None

    def state(self, status_id: str | None, status_name: str | None) -> WorkState:
        """The WorkState of a status (by id on the board; by name for `done_statuses`)."""
        column = self.board.column_of_status.get(str(status_id)) if status_id else None
        if column is None or column == 0:
            base = WorkState.TODO
        elif column == self.board.column_count - 1:
            base = WorkState.DONE
        else:
            base = WorkState.IN_PROGRESS
        if self.done_statuses is None:
            return base
        wanted = {name.casefold() for name in self.done_statuses}
        if status_name and status_name.casefold() in wanted:
            return WorkState.DONE
        return WorkState.IN_PROGRESS if base is WorkState.DONE else base


@dataclass(frozen=True)
class FieldIds:
    """Site-specific field ids (and names, for changelog items that lack `fieldId`)."""

    sprint: str
    estimate: str
    flagged: str | None
    names: Mapping[str, str]  # field id -> display name

    def name(self, field_id: str | None) -> str | None:
        """The display name of a field id, if the site has it."""
        return self.names.get(field_id) if field_id else None


def _custom_type(field: Mapping[str, Any]) -> str:
    return str((field.get("schema") or {}).get("custom") or "")


def discover_estimate_field(fields: Sequence[Mapping[str, Any]]) -> str | None:
    """API-NOTES A.3 steps 2-3: the jsw-story-points field, else a float named Story Points."""
    for field in fields:
        if _custom_type(field) == STORY_POINTS_TYPE:
            return str(field["id"])
    for field in fields:
        names = {str(field.get(k) or "").casefold() for k in ("name", "untranslatedName")}
        if _custom_type(field) == FLOAT_TYPE and names & set(STORY_POINT_NAMES):
            return str(field["id"])
    return None


def to_field_ids(
    fields: Sequence[Mapping[str, Any]], *, estimate: str | None, board: int
) -> FieldIds:
    """Sprint, estimate and Flagged field ids from `GET /rest/api/3/field`."""
    sprint = next((str(f["id"]) for f in fields if _custom_type(f) == SPRINT_FIELD_TYPE), None)
    if sprint is None:
        raise ConfigError(
            f"Jira has no Sprint field ({SPRINT_FIELD_TYPE}); is Jira Software enabled "
            f"for board {board}?"
        )
    estimate = estimate or discover_estimate_field(fields)
    if estimate is None:
        raise ConfigError(
            f"board {board} has no estimation field and no 'Story point estimate'/'Story Points' "
            "field was found; set the Jira estimation_field to a field id like customfield_10016"
        )
    flagged = next((str(f["id"]) for f in fields if f.get("name") == "Flagged"), None)
    names = {str(f["id"]): str(f.get("name") or "") for f in fields if "id" in f}
    return FieldIds(sprint=sprint, estimate=estimate, flagged=flagged, names=names)
