"""Local state: GitHub snapshots (history GitHub does not keep), run locks, JSON caches."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from sprintsync.domain import Snapshot, SnapshotItem
from sprintsync.errors import StateError

SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL,
  iteration TEXT NOT NULL,
  taken_at TEXT NOT NULL,
  UNIQUE (project, iteration, taken_at)
);
CREATE TABLE IF NOT EXISTS snapshot_items (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL,
  content_key TEXT NOT NULL,
  title TEXT NOT NULL,
  iteration_id TEXT,
  points REAL,
  status TEXT,
  closed INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  closed_at TEXT,
  created_at TEXT NOT NULL,
  url TEXT,
  iteration_set_at TEXT,
  points_set_at TEXT,
  labels TEXT,
  field_options TEXT,
  PRIMARY KEY (snapshot_id, item_id)
);
"""
# Version 2 added when the iteration and points values were last set (nullable: a version 1
# file keeps its rows, which simply do not know).
_ADDED_IN_2 = ("iteration_set_at", "points_set_at")
# Version 3 added the labels and the blocked field's option (JSON text; NULL for older rows:
# not recorded, so the blocked marker is unknown there).
_ADDED_IN_3 = ("labels", "field_options")
_ADDED_SINCE = {1: (*_ADDED_IN_2, *_ADDED_IN_3), 2: _ADDED_IN_3}

_ITEM_COLUMNS = (
    "item_id, content_key, title, iteration_id, points, status, closed, completed, "
    "closed_at, created_at, url, iteration_set_at, points_set_at, labels, field_options"
)


def _to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise StateError(f"snapshot times must carry a time zone, got {moment.isoformat()}")
    return moment.astimezone(UTC).isoformat()


def _optional_text(moment: datetime | None) -> str | None:
    return None if moment is None else _to_text(moment)


def _optional_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _optional_json(value: tuple[object, ...] | None) -> str | None:
    return None if value is None else _compact(list(value))


def _labels(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(json.loads(text))


def _field_options(text: str | None) -> tuple[tuple[str, str | None], ...] | None:
    return None if text is None else tuple((name, option) for name, option in json.loads(text))


def _item_row(snapshot_id: int, item: SnapshotItem) -> tuple[object, ...]:
    return (
        snapshot_id,
        item.item_id,
        item.content_key,
        item.title,
        item.iteration_id,
        item.points,
        item.status,
        int(item.closed),
        int(item.completed),
        _optional_text(item.closed_at),
        _to_text(item.created_at),
        item.url,
        _optional_text(item.iteration_set_at),
        _optional_text(item.points_set_at),
        _optional_json(item.labels),
        _optional_json(item.field_options),
    )


def _item_from_row(row: sqlite3.Row) -> SnapshotItem:
    return SnapshotItem(
        item_id=row["item_id"],
        content_key=row["content_key"],
        title=row["title"],
        iteration_id=row["iteration_id"],
        points=row["points"],
        status=row["status"],
        closed=bool(row["closed"]),
        completed=bool(row["completed"]),
        closed_at=_optional_time(row["closed_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        url=row["url"],
        iteration_set_at=_optional_time(row["iteration_set_at"]),
        points_set_at=_optional_time(row["points_set_at"]),
        labels=_labels(row["labels"]),
        field_options=_field_options(row["field_options"]),
    )


class SnapshotStore:
    """Snapshots in one SQLite file (WAL): each write is one transaction, repeats are ignored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as error:
            raise StateError(f"state file {self.path}: cannot open it ({error})") from None
        connection.isolation_level = None  # explicit BEGIN IMMEDIATE ... COMMIT below
        connection.row_factory = sqlite3.Row
        try:
            _set_up(connection)
            if not self._ready:
                self._migrate(connection)
            yield connection
        except sqlite3.Error as error:
            raise StateError(f"state file {self.path}: {error}") from None
        finally:
            connection.close()

    def _migrate(self, connection: sqlite3.Connection) -> None:
        with _transaction(connection):
            _create(connection)  # not executescript: it would COMMIT our transaction
            row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
            version = row[0]
            if version is None:
                connection.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif version in _ADDED_SINCE:
                for column in _ADDED_SINCE[version]:
                    connection.execute(f"ALTER TABLE snapshot_items ADD COLUMN {column} TEXT")
                connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
            elif version > SCHEMA_VERSION:
                raise StateError(
                    f"state file {self.path} has schema version {version}; this sprintsync "
                    f"reads version {SCHEMA_VERSION} (upgrade sprintsync or use another state.path)"
                )
        self._ready = True

    def save_snapshot(
        self,
        *,
        project: str,
        iteration: str,
        taken_at: datetime,
        items: Iterable[SnapshotItem],
    ) -> bool:
        """Store one snapshot in one transaction; False when one at `taken_at` already exists."""
        with self._connect() as connection, _transaction(connection):
            cursor = connection.execute(
                "INSERT OR IGNORE INTO snapshots (project, iteration, taken_at) VALUES (?, ?, ?)",
                (project, iteration, _to_text(taken_at)),
            )
            if cursor.rowcount == 0:
                return False
            snapshot_id = cursor.lastrowid
            if snapshot_id is None:  # pragma: no cover - sqlite3 sets it after an INSERT
                raise StateError(f"state file {self.path}: the snapshot was not stored")
            placeholders = ", ".join("?" * 16)
            connection.executemany(
                f"INSERT INTO snapshot_items (snapshot_id, {_ITEM_COLUMNS}) "  # noqa: S608
                f"VALUES ({placeholders})",
                (_item_row(snapshot_id, item) for item in items),
            )
            return True

    def snapshots(self, *, project: str, iteration: str) -> tuple[Snapshot, ...]:
        """Every snapshot of one iteration, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, taken_at FROM snapshots WHERE project = ? AND iteration = ? "
                "ORDER BY taken_at",
                (project, iteration),
            ).fetchall()
            return tuple(
                Snapshot(datetime.fromisoformat(row["taken_at"]), self._items(connection, row[0]))
                for row in rows
            )

    def snapshot_times(self, *, project: str, iteration: str) -> tuple[datetime, ...]:
        """When each snapshot of one iteration was taken, oldest first (no items read)."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT taken_at FROM snapshots WHERE project = ? AND iteration = ? "
                "ORDER BY taken_at",
                (project, iteration),
            ).fetchall()
            return tuple(datetime.fromisoformat(row["taken_at"]) for row in rows)

    @staticmethod
    def _items(connection: sqlite3.Connection, snapshot_id: int) -> tuple[SnapshotItem, ...]:
        rows = connection.execute(
            f"SELECT {_ITEM_COLUMNS} FROM snapshot_items WHERE snapshot_id = ? "  # noqa: S608
            "ORDER BY item_id",
            (snapshot_id,),
        ).fetchall()
        return tuple(_item_from_row(row) for row in rows)


def _set_up(connection: sqlite3.Connection) -> None:
    """Busy timeout, WAL and foreign keys, retrying while another connection holds the file.

    SQLite does not call the busy handler everywhere: while the last connection to a WAL file
    closes, it holds an exclusive lock to checkpoint and remove the WAL, and a connection that
    opens the file in that moment gets SQLITE_BUSY from `PRAGMA journal_mode` at once (SQLite's
    "Sometimes Queries Return SQLITE_BUSY In WAL Mode"). These pragmas change nothing when run
    twice, so they are simply run again, for up to the busy timeout.
    """
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.001
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            break
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
    connection.execute("PRAGMA foreign_keys = ON")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    primary_code = error.sqlite_errorcode & 0xFF  # extended codes keep the primary in the low byte
    return primary_code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _create(connection: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE (take the write lock up front) ... COMMIT, or ROLLBACK on any error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


class RunLock:
    """One run per team at a time: a non-blocking `flock` on the team's lock file."""

    def __init__(self, path: Path, *, team: str | None = None) -> None:
        self.path = path
        self.team = team or path.stem
        self._file: IO[bytes] | None = None

    def __enter__(self) -> Self:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("ab")
        except OSError as error:
            raise StateError(f"run lock {self.path}: cannot open it ({error.strerror})") from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StateError(
                f"another sprintsync run for team {self.team} holds {self.path}"
            ) from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class DryRunSnapshotStore(SnapshotStore):
    """A dry run's store: reads the real file if there is one, keeps new snapshots in memory.

    A dry run writes nothing, not even a snapshot (nor creates the state folder).
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._kept: dict[tuple[str, str], list[Snapshot]] = {}

    def save_snapshot(
        self,
        *,
        taken_at: datetime,
        project: str,
        iteration: str,
        items: Iterable[SnapshotItem],
    ) -> bool:
        """Keep the snapshot for this run only; False when one at `taken_at` exists."""
        if any(
            s.taken_at == taken_at for s in self.snapshots(project=project, iteration=iteration)
        ):
            return False
        self._kept.setdefault((project, iteration), []).append(Snapshot(taken_at, tuple(items)))
        return True

    def snapshots(self, *, project: str, iteration: str) -> tuple[Snapshot, ...]:
        """The file's snapshots (if the file exists) and this run's, oldest first."""
        stored = (
            super().snapshots(project=project, iteration=iteration) if self.path.exists() else ()
        )
        kept = self._kept.get((project, iteration), [])
        return tuple(sorted((*stored, *kept), key=lambda s: s.taken_at))

    def snapshot_times(self, *, project: str, iteration: str) -> tuple[datetime, ...]:
        """The times of `snapshots`: the file's and this run's, oldest first."""
        return tuple(s.taken_at for s in self.snapshots(project=project, iteration=iteration))


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_chunks(document: object) -> Iterator[str]:
    """`json.dumps(document)` in pieces: each top-level list item by the C encoder.

    json.dump streams through the pure-Python encoder (0.44 s of a 2,000-issue run for its
    sprint cache); one json.dumps holds the whole text (+18 MB peak RSS at 20,000 issues).
    """
    if not isinstance(document, dict) or not all(isinstance(key, str) for key in document):
        yield _compact(document)
        return
    yield "{"
    for index, (key, value) in enumerate(document.items()):
        yield ("," if index else "") + _compact(key) + ":"
        if isinstance(value, list):
            yield "["
            for position, item in enumerate(value):
                yield ("," if position else "") + _compact(item)
            yield "]"
        else:
            yield _compact(value)
    yield "}"


class JsonDocument:
    """One JSON document in the state folder: read whole, replaced atomically (never torn)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Any:  # noqa: ANN401 - whatever JSON the file holds; the caller checks it
        """The document, None when there is no file; StateError when unreadable or not JSON."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise StateError(f"{self.path}: cannot read it ({error})") from None
        try:
            return json.loads(text)
        except ValueError as error:
            raise StateError(f"{self.path}: not JSON ({error})") from None

    def save(self, document: object) -> None:
        """Write to a temporary file beside it, fsync, then rename over it (POSIX atomic)."""
        temporary: Path | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            temporary = Path(name)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.writelines(_json_chunks(document))
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self.path)
        except OSError as error:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)
            raise StateError(f"{self.path}: cannot write it ({error.strerror})") from None
