"""Whole `sprintsync run` processes against a fake Jira Cloud with injected latency.

Serves generated worlds (tests/fakes/jira_bulk.py) on 127.0.0.1 with `--latency` per request
(default 50 ms), then runs each case as a subprocess and prints wall time, requests, most
requests in flight at once and the child's peak RSS. In the same run: the API's floor
(benchmarks/floor.py: id-only search, then every bulk fetch at once, nothing parsed), the
unchanged rerun from the sprint cache against `--full` (one team), and, with `--baseline REV`,
the same cases run by another commit (a temporary `git worktree`). Prints figures; asserts
nothing.

Usage: python benchmarks/bench_run.py [--issues 200 2000 20000] [--teams 20] [--baseline 38cfe22]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from fakes.jira_bulk import bulk_jira  # noqa: E402
from fakes.server import FakeRequest, FakeResponse, Handler, serve  # noqa: E402

NOW = "2026-11-18T12:00:00+00:00"
TEAM = """\
  - name: {name}
    source: {{type: jira, deployment: cloud, url: "{url}", board: 7}}
    publish:
      - {{type: file, path: out/{name}.json}}
"""


class Meter:
    """Wraps handlers: the latency, the request count and the most in flight, over all fakes."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.lock = threading.Lock()
        self.requests = self.in_flight = self.most = 0

    def reset(self) -> None:
        """Start counting again."""
        with self.lock:
            self.requests = self.most = 0

    def wrap(self, handler: Handler) -> Handler:
        """`handler` behind the latency, counted."""

        def handle(request: FakeRequest) -> FakeResponse:
            with self.lock:
                self.requests += 1
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            try:
                time.sleep(self.latency)
                return handler(request)
            finally:
                with self.lock:
                    self.in_flight -= 1

        return handle


@dataclass
class Figures:
    """One case's figures."""

    wall: float
    requests: int
    most: int
    rss_mb: float
    code: int


# The child is started from a small interpreter: Linux counts the RSS a process had before
# exec in its peak, and this process holds the fake worlds (hundreds of MB at 20,000 issues).
SPAWN = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\\nPEAK_RSS_KB {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(command: list[str], *, meter: Meter, cwd: Path, env: dict[str, str]) -> Figures:
    """Run one process to its end; its wall time and its own peak RSS."""
    meter.reset()
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, "-c", SPAWN, *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    wall = time.perf_counter() - started
    errors = done.stderr.decode(errors="replace")
    peak = int(errors.rsplit("PEAK_RSS_KB", 1)[1]) if "PEAK_RSS_KB" in errors else 0
    if done.returncode:
        print(errors[-2000:], file=sys.stderr)
    return Figures(wall, meter.requests, meter.most, peak / 1024, done.returncode)


@contextmanager
def worlds(count: int, teams: int, meter: Meter) -> Iterator[list[str]]:
    """`teams` fake sites of `count` issues each (one world, one server each, all 127.0.0.1)."""
    fake = bulk_jira(
        count, page_size=100, id_page_size=5000, changelog_page_size=1000, sprint_page_size=50
    )
    with ExitStack() as stack:
        urls = [stack.enter_context(serve(meter.wrap(fake.handle))).url for _ in range(teams)]
        yield urls


def write_config(folder: Path, urls: list[str], *, in_flight: int | None) -> Path:
    """A config with one team per URL, each publishing its status JSON."""
    http = "{max_wait_seconds: 0, base_wait_seconds: 0"
    http += f", max_in_flight_per_host: {in_flight}}}" if in_flight else "}"
    teams = "".join(TEAM.format(name=f"t{n}", url=url) for n, url in enumerate(urls))
    path = folder / "sprintsync.yaml"
    path.write_text(f"timezone: Europe/Berlin\nhttp: {http}\nteams:\n{teams}", encoding="utf-8")
    return path


@contextmanager
def baseline_tree(revision: str | None) -> Iterator[Path | None]:
    """A temporary `git worktree` of `revision` (its src/ is put on PYTHONPATH), or None."""
    if revision is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="sprintsync-baseline-") as folder:
        tree = Path(folder) / "tree"
        git = ["git", "-C", str(ROOT)]
        subprocess.run([*git, "worktree", "add", "--detach", str(tree), revision], check=True)  # noqa: S603
        try:
            yield tree
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=True)  # noqa: S603


def sprintsync(src: Path, config: Path) -> tuple[list[str], dict[str, str]]:
    """The command and environment of `sprintsync run` from the checkout at `src`."""
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "SPRINTSYNC_JIRA_EMAIL": "bot@example.com",
        "SPRINTSYNC_JIRA_TOKEN": "api-token-123",
    }
    return [sys.executable, "-m", "sprintsync", "run", "--config", str(config), "--now", NOW], env


def show(label: str, figures: Figures, *, floor: Figures | None = None) -> None:
    """One row of figures."""
    extra = f"  floor+{figures.wall - floor.wall:.2f} s" if floor else ""
    failed = f"  EXIT {figures.code}" if figures.code else ""
    print(
        f"{label:<40} {figures.wall:7.2f} s {figures.requests:6d} req "
        f"{figures.most:3d} in flight {figures.rss_mb:7.1f} MB{extra}{failed}",
        flush=True,
    )


def best(runs: list[Figures]) -> Figures:
    """The median run by wall time."""
    return sorted(runs, key=lambda f: f.wall)[len(runs) // 2]


def bench_case(
    label: str,
    *,
    count: int,
    teams: int,
    args: argparse.Namespace,
    meter: Meter,
    baseline: Path | None,
) -> None:
    """A case: the floor (one team only), this checkout, the baseline; median of `--repeat`."""
    with worlds(count, teams, meter) as urls, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        floor = None
        if teams == 1:
            command = [sys.executable, str(ROOT / "benchmarks" / "floor.py"), urls[0]]
            command += ["--in-flight", str(args.in_flight or 8)]
            env = dict(os.environ)
            floor = best(
                [run_child(command, meter=meter, cwd=work, env=env) for _ in range(args.repeat)]
            )
            show(f"{label}: API floor", floor)
        config = write_config(work, urls, in_flight=args.in_flight)
        command, env = sprintsync(ROOT / "src", config)
        runs = []
        for _ in range(args.repeat):  # each a first run: no sprint cache yet
            shutil.rmtree(work / ".sprintsync" / "cache", ignore_errors=True)
            runs.append(run_child(command, meter=meter, cwd=work, env=env))
        show(f"{label}: this checkout", best(runs), floor=floor)
        if teams == 1 and not args.no_rerun:
            rerun(label, command, env=env, work=work, meter=meter, repeat=args.repeat)
        if baseline is not None:
            old_config = write_config(work, urls, in_flight=None)
            command, env = sprintsync(baseline / "src", old_config)
            runs = []
            for _ in range(args.repeat):  # first runs too: not from this checkout's cache
                shutil.rmtree(work / ".sprintsync" / "cache", ignore_errors=True)
                runs.append(run_child(command, meter=meter, cwd=work, env=env))
            show(f"{label}: baseline", best(runs), floor=floor)


def rerun(
    label: str, command: list[str], *, env: dict[str, str], work: Path, meter: Meter, repeat: int
) -> None:
    """Nothing changed since the first run: from the sprint cache, then with `--full`."""
    runs = [run_child(command, meter=meter, cwd=work, env=env) for _ in range(repeat)]
    show(f"{label}: unchanged rerun (cache)", best(runs))
    full = [*command, "--full"]
    runs = [run_child(full, meter=meter, cwd=work, env=env) for _ in range(repeat)]
    show(f"{label}: unchanged rerun --full", best(runs))


def main() -> None:
    """Parse the options and run every case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, nargs="*", default=[200, 2000, 20000])
    parser.add_argument("--teams", type=int, default=20, help="teams of --team-issues (0: none)")
    parser.add_argument("--team-issues", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (median)")
    parser.add_argument("--in-flight", type=int, default=None, help="http.max_in_flight_per_host")
    parser.add_argument("--baseline", default=None, help="a commit to compare, e.g. 38cfe22")
    parser.add_argument("--no-rerun", action="store_true", help="skip the cached-rerun rows")
    args = parser.parse_args()
    meter = Meter(args.latency)
    python = sys.version.split()[0]
    print(f"latency {args.latency * 1000:.0f} ms, repeat {args.repeat}, Python {python}")
    with baseline_tree(args.baseline) as baseline:
        for count in args.issues:
            bench_case(
                f"{count} issues", count=count, teams=1, args=args, meter=meter, baseline=baseline
            )
        if args.teams:
            for teams in (1, args.teams):
                label = f"{teams} team(s) x {args.team_issues}"
                bench_case(
                    label,
                    count=args.team_issues,
                    teams=teams,
                    args=args,
                    meter=meter,
                    baseline=baseline,
                )


if __name__ == "__main__":
    main()
