import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sprintsync.domain import SnapshotItem
from sprintsync.errors import StateError
from sprintsync.state import DryRunSnapshotStore, RunLock, SnapshotStore

SRC = str(Path(__file__).resolve().parent.parent / "src")
T0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def item(item_id="PVTI_1", **overrides):
    """A snapshot item with plausible values."""
    values = {
        "item_id": item_id,
        "content_key": f"acme/shop#{item_id[-1]}",
        "title": "Fix checkout",
        "iteration_id": "it7",
        "points": 3.0,
        "status": "Todo",
        "closed": False,
        "completed": False,
        "closed_at": None,
        "created_at": datetime(2026, 11, 10, 9, tzinfo=UTC),
        "url": "https://github.com/acme/shop/issues/1",
    }
    values.update(overrides)
    return SnapshotItem(**values)


def integrity(path):
    """SQLite's own integrity check of the file."""
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def run_python(code, *, wait=True):
    """Run `code` in a fresh interpreter with sprintsync importable."""
    env = {**os.environ, "PYTHONPATH": SRC}
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env)  # noqa: S603
    if wait:
        process.wait(timeout=60)
    return process


def test_snapshot_round_trips_every_field(tmp_path):
    """What is saved comes back equal, times as aware UTC datetimes."""
    store = SnapshotStore(tmp_path / "state.db")
    closed = item(
        "PVTI_2", closed=True, completed=True, closed_at=T0 - timedelta(hours=2), points=None
    )
    assert store.save_snapshot(
        project="acme/5", iteration="it7", taken_at=T0, items=[item(), closed]
    )
    (snapshot,) = store.snapshots(project="acme/5", iteration="it7")
    assert snapshot.taken_at == T0
    assert snapshot.items == (item(), closed)


def test_repeated_run_at_the_same_now_stores_one_snapshot(tmp_path):
    """Saving twice at the same `now` keeps one snapshot and says the second was not new."""
    store = SnapshotStore(tmp_path / "state.db")
    assert store.save_snapshot(project="acme/5", iteration="it7", taken_at=T0, items=[item()])
    again = SnapshotStore(tmp_path / "state.db")
    assert not again.save_snapshot(
        project="acme/5", iteration="it7", taken_at=T0, items=[item(points=5.0)]
    )
    snapshots = again.snapshots(project="acme/5", iteration="it7")
    assert [s.items[0].points for s in snapshots] == [3.0]


def test_snapshots_are_per_project_and_iteration_and_sorted(tmp_path):
    """Snapshots of other iterations are not returned; the rest come oldest first."""
    store = SnapshotStore(tmp_path / "state.db")
    for hours in (48, 0, 24):
        store.save_snapshot(
            project="acme/5", iteration="it7", taken_at=T0 + timedelta(hours=hours), items=[]
        )
    store.save_snapshot(project="acme/5", iteration="it8", taken_at=T0, items=[item()])
    times = [s.taken_at for s in store.snapshots(project="acme/5", iteration="it7")]
    assert times == [T0, T0 + timedelta(hours=24), T0 + timedelta(hours=48)]


def test_snapshot_times_are_the_snapshots_times_without_their_items(tmp_path):
    """The times alone, oldest first, per iteration; a dry run's store adds its own."""
    store = SnapshotStore(tmp_path / "state.db")
    for hours in (24, 0):
        store.save_snapshot(
            project="acme/5", iteration="it6", taken_at=T0 + timedelta(hours=hours), items=[item()]
        )
    store.save_snapshot(project="acme/5", iteration="it7", taken_at=T0, items=[])
    assert store.snapshot_times(project="acme/5", iteration="it6") == (
        T0,
        T0 + timedelta(hours=24),
    )
    assert store.snapshot_times(project="acme/5", iteration="it5") == ()
    dry = DryRunSnapshotStore(tmp_path / "state.db")
    dry.save_snapshot(project="acme/5", iteration="it6", taken_at=T0 + timedelta(hours=1), items=[])
    assert dry.snapshot_times(project="acme/5", iteration="it6") == (
        T0,
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=24),
    )
    assert (
        DryRunSnapshotStore(tmp_path / "none.db").snapshot_times(project="acme/5", iteration="it6")
        == ()
    )


def test_store_uses_wal_and_a_schema_version(tmp_path):
    """The file is in WAL mode and records its schema version."""
    path = tmp_path / "state.db"
    SnapshotStore(path).save_snapshot(project="p", iteration="i", taken_at=T0, items=[])
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(3,)]


def test_concurrent_threads_never_duplicate_or_corrupt(tmp_path):
    """Eight threads saving the same and different moments leave one snapshot per moment."""
    path = tmp_path / "state.db"
    errors = []

    def worker(number):
        try:
            store = SnapshotStore(path)
            for hours in range(5):
                moment = T0 + timedelta(hours=hours)
                items = [item(f"PVTI_{n}", points=float(number)) for n in range(20)]
                store.save_snapshot(project="acme/5", iteration="it7", taken_at=moment, items=items)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    snapshots = SnapshotStore(path).snapshots(project="acme/5", iteration="it7")
    assert len(snapshots) == 5
    assert all(len(s.items) == 20 and len({i.points for i in s.items}) == 1 for s in snapshots)
    assert integrity(path) == "ok"


class _BusyWhileAnotherCloses:
    """A real connection whose first `PRAGMA journal_mode` answers SQLITE_BUSY `times` times.

    That is what SQLite does, without calling the busy handler, while the last connection to a
    WAL file checkpoints and removes the WAL as it closes.
    """

    def __init__(self, connection, times):
        self._connection = connection
        self.busy_left = times

    def execute(self, statement, *parameters):
        if statement.startswith("PRAGMA journal_mode") and self.busy_left:
            self.busy_left -= 1
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise error
        return self._connection.execute(statement, *parameters)

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def __setattr__(self, name, value):
        if name in {"_connection", "busy_left"}:
            object.__setattr__(self, name, value)
        else:
            setattr(self._connection, name, value)


def test_a_busy_answer_while_another_connection_closes_is_waited_out(tmp_path, monkeypatch):
    """SQLITE_BUSY from the journal-mode pragma is retried, not reported as a locked file."""
    path = tmp_path / "state.db"
    real_connect = sqlite3.connect
    opened = []

    def connect(*args, **kwargs):
        opened.append(_BusyWhileAnotherCloses(real_connect(*args, **kwargs), times=3))
        return opened[-1]

    monkeypatch.setattr("sprintsync.state.sqlite3.connect", connect)
    stored = SnapshotStore(path).save_snapshot(
        project="acme/5", iteration="it7", taken_at=T0, items=[item()]
    )
    assert stored is True
    assert [connection.busy_left for connection in opened] == [0]
    monkeypatch.setattr("sprintsync.state.sqlite3.connect", real_connect)
    snapshots = SnapshotStore(path).snapshots(project="acme/5", iteration="it7")
    assert [len(snapshot.items) for snapshot in snapshots] == [1]


def test_another_sqlite_error_from_the_pragma_is_reported_at_once(tmp_path):
    """A file that is not a database is not retried: one clear error naming the file."""
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database, and it is long enough to have a header" * 4)
    with pytest.raises(StateError, match=r"state\.db: file is not a database"):
        SnapshotStore(path).save_snapshot(project="p", iteration="i", taken_at=T0, items=[])


def test_concurrent_processes_never_duplicate_or_corrupt(tmp_path):
    """Four processes writing overlapping moments leave whole snapshots, once each."""
    path = tmp_path / "state.db"
    code = f"""
        from datetime import datetime, timedelta, UTC
        from pathlib import Path
        from sprintsync.domain import SnapshotItem
        from sprintsync.state import SnapshotStore
        store = SnapshotStore(Path({str(path)!r}))
        t0 = datetime(2026, 11, 20, 7, tzinfo=UTC)
        for hours in range(6):
            items = [SnapshotItem(item_id=f"PVTI_{{n}}", content_key=f"k{{n}}", title="t",
                     iteration_id="it7", points=1.0, status=None, closed=False, completed=False,
                     closed_at=None, created_at=t0) for n in range(50)]
            store.save_snapshot(project="acme/5", iteration="it7",
                                taken_at=t0 + timedelta(hours=hours), items=items)
    """
    processes = [run_python(code, wait=False) for _ in range(4)]
    assert [p.wait(timeout=60) for p in processes] == [0, 0, 0, 0]
    snapshots = SnapshotStore(path).snapshots(project="acme/5", iteration="it7")
    assert [len(s.items) for s in snapshots] == [50] * 6
    assert integrity(path) == "ok"


def test_killed_transaction_leaves_the_store_consistent(tmp_path):
    """A process killed mid-write leaves no half snapshot; the next run writes normally."""
    path = tmp_path / "state.db"
    SnapshotStore(path).save_snapshot(
        project="acme/5", iteration="it7", taken_at=T0, items=[item()]
    )
    code = f"""
        import os
        from datetime import datetime, UTC
        from pathlib import Path
        from sprintsync.domain import SnapshotItem
        from sprintsync.state import SnapshotStore
        t0 = datetime(2026, 11, 21, 7, tzinfo=UTC)
        def items():
            yield SnapshotItem(item_id="PVTI_1", content_key="k", title="t", iteration_id="it7",
                               points=1.0, status=None, closed=False, completed=False,
                               closed_at=None, created_at=t0)
            os._exit(9)  # killed mid-transaction: after the snapshot row, before the commit
        SnapshotStore(Path({str(path)!r})).save_snapshot(
            project="acme/5", iteration="it7", taken_at=t0, items=items())
    """
    assert run_python(code).returncode == 9
    store = SnapshotStore(path)
    assert [s.taken_at for s in store.snapshots(project="acme/5", iteration="it7")] == [T0]
    later = datetime(2026, 11, 21, 7, tzinfo=UTC)
    assert store.save_snapshot(project="acme/5", iteration="it7", taken_at=later, items=[item()])
    assert len(store.snapshots(project="acme/5", iteration="it7")) == 2
    assert integrity(path) == "ok"


def test_failing_write_rolls_back_in_process(tmp_path):
    """An exception while writing items rolls the snapshot row back too."""
    store = SnapshotStore(tmp_path / "state.db")

    def broken():
        yield item()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.save_snapshot(project="acme/5", iteration="it7", taken_at=T0, items=broken())
    assert store.snapshots(project="acme/5", iteration="it7") == ()
    assert store.save_snapshot(project="acme/5", iteration="it7", taken_at=T0, items=[item()])


def test_newer_schema_version_is_refused(tmp_path):
    """A file written by a newer schema is a StateError naming the file and both versions."""
    path = tmp_path / "state.db"
    SnapshotStore(path).snapshots(project="p", iteration="i")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = 7")
    with pytest.raises(
        StateError, match=r"state.db has schema version 7; this sprintsync reads version 3"
    ):
        SnapshotStore(path).snapshots(project="p", iteration="i")


V1_ITEMS = """CREATE TABLE snapshot_items (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL, content_key TEXT NOT NULL, title TEXT NOT NULL, iteration_id TEXT,
  points REAL, status TEXT, closed INTEGER NOT NULL, completed INTEGER NOT NULL,
  closed_at TEXT, created_at TEXT NOT NULL, url TEXT, PRIMARY KEY (snapshot_id, item_id))"""


def test_values_set_at_round_trip(tmp_path):
    """When the iteration and points values were last set comes back as saved."""
    store = SnapshotStore(tmp_path / "state.db")
    saved = item(iteration_set_at=T0 - timedelta(hours=3), points_set_at=T0 - timedelta(hours=1))
    store.save_snapshot(project="acme/5", iteration="it7", taken_at=T0, items=[saved])
    assert store.snapshots(project="acme/5", iteration="it7")[0].items == (saved,)


def test_a_version_1_file_is_migrated_and_keeps_its_snapshots(tmp_path):
    """A version 1 file gains the four later columns (unknown for old rows) and its rows stay."""
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO schema_version VALUES (1)")
        connection.execute(
            "CREATE TABLE snapshots (id INTEGER PRIMARY KEY, project TEXT NOT NULL, "
            "iteration TEXT NOT NULL, taken_at TEXT NOT NULL, "
            "UNIQUE (project, iteration, taken_at))"
        )
        connection.execute(V1_ITEMS)
        connection.execute(
            "INSERT INTO snapshots VALUES (1, 'acme/5', 'it7', ?)", (T0.isoformat(),)
        )
        connection.execute(
            "INSERT INTO snapshot_items VALUES (1, 'PVTI_1', 'acme/shop#1', 'Fix checkout', 'it7', "
            "3.0, 'Todo', 0, 0, NULL, ?, 'https://github.com/acme/shop/issues/1')",
            (datetime(2026, 11, 10, 9, tzinfo=UTC).isoformat(),),
        )
    store = SnapshotStore(path)
    assert store.snapshots(project="acme/5", iteration="it7")[0].items == (item(),)
    later = item(points_set_at=T0)
    store.save_snapshot(
        project="acme/5", iteration="it7", taken_at=T0 + timedelta(1), items=[later]
    )
    assert store.snapshots(project="acme/5", iteration="it7")[1].items == (later,)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(3,)]


def test_a_file_that_is_not_a_database_is_a_state_error(tmp_path):
    """A corrupt or foreign file is a StateError naming the file."""
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match=r"state file .*state.db: file is not a database"):
        SnapshotStore(path).snapshots(project="p", iteration="i")


def test_naive_times_are_refused(tmp_path):
    """A snapshot time without a zone is a StateError, never a silent local time."""
    store = SnapshotStore(tmp_path / "state.db")
    with pytest.raises(StateError, match="must carry a time zone"):
        store.save_snapshot(project="p", iteration="i", taken_at=datetime(2026, 11, 20), items=[])  # noqa: DTZ001


def test_run_lock_refuses_a_second_holder_then_frees(tmp_path):
    """A second lock on the same team file fails with the team and path; released after exit."""
    path = tmp_path / ".sprintsync" / "platform.lock"
    first = RunLock(path, team="platform")
    with first, pytest.raises(StateError) as caught, RunLock(path, team="platform"):
        pass
    assert str(caught.value) == f"another sprintsync run for team platform holds {path}"
    with RunLock(path) as lock:
        assert lock.team == "platform"


def test_run_lock_is_held_against_another_process(tmp_path):
    """While this process holds the lock, another process cannot take it."""
    path = tmp_path / "team.lock"
    code = f"""
        import sys
        from pathlib import Path
        from sprintsync.errors import StateError
        from sprintsync.state import RunLock
        try:
            with RunLock(Path({str(path)!r})):
                sys.exit(0)
        except StateError:
            sys.exit(5)
    """
    with RunLock(path):
        assert run_python(code).returncode == 5
    assert run_python(code).returncode == 0


def test_labels_and_field_options_round_trip(tmp_path):
    """The labels and the blocked field's option come back as saved; None stays None."""
    store = SnapshotStore(tmp_path / "state.db")
    saved = item(labels=("blocked", "bug"), field_options=(("Blocked", "Yes"),))
    unset = item("PVTI_2", labels=(), field_options=(("Blocked", None),))
    unknown = item("PVTI_3")
    store.save_snapshot(
        project="acme/5", iteration="it7", taken_at=T0, items=[saved, unset, unknown]
    )
    assert store.snapshots(project="acme/5", iteration="it7")[0].items == (saved, unset, unknown)


def test_a_version_2_file_is_migrated_in_place_and_keeps_its_snapshots(tmp_path):
    """A version 2 file gains labels and field_options (NULL: not recorded) and reads on."""
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO schema_version VALUES (2)")
        connection.execute(
            "CREATE TABLE snapshots (id INTEGER PRIMARY KEY, project TEXT NOT NULL, "
            "iteration TEXT NOT NULL, taken_at TEXT NOT NULL, "
            "UNIQUE (project, iteration, taken_at))"
        )
        connection.execute(V1_ITEMS)
        for column in ("iteration_set_at", "points_set_at"):
            connection.execute(f"ALTER TABLE snapshot_items ADD COLUMN {column} TEXT")
        connection.execute(
            "INSERT INTO snapshots VALUES (1, 'acme/5', 'it7', ?)", (T0.isoformat(),)
        )
        connection.execute(
            "INSERT INTO snapshot_items VALUES (1, 'PVTI_1', 'acme/shop#1', 'Fix checkout', 'it7', "
            "3.0, 'Todo', 0, 0, NULL, ?, 'https://github.com/acme/shop/issues/1', NULL, ?)",
            (datetime(2026, 11, 10, 9, tzinfo=UTC).isoformat(), T0.isoformat()),
        )
    store = SnapshotStore(path)
    old = store.snapshots(project="acme/5", iteration="it7")[0].items
    assert old == (item(points_set_at=T0),)
    assert (old[0].labels, old[0].field_options) == (None, None)
    later = item(points_set_at=T0, labels=("blocked",), field_options=(("Status", "Blocked"),))
    store.save_snapshot(
        project="acme/5", iteration="it7", taken_at=T0 + timedelta(1), items=[later]
    )
    assert store.snapshots(project="acme/5", iteration="it7")[1].items == (later,)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
        columns = [row[1] for row in connection.execute("PRAGMA table_info(snapshot_items)")]
    assert columns[-2:] == ["labels", "field_options"]
