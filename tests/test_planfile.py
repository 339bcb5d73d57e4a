from datetime import date
from pathlib import Path

import pytest

from sprintsync.app import check_plan_matches
from sprintsync.config.plan import load_plan
from sprintsync.errors import ConfigError

EXAMPLE_PLAN = Path(__file__).parents[1] / "config" / "plans" / "sprint-5.yaml"


def test_example_plan_loads_with_items_days_and_blockers():
    """The example plan (the seed's Sprint 5) loads into a domain Plan."""
    plan = load_plan(EXAMPLE_PLAN)
    assert plan.sprint == "5"
    assert plan.working_days == (0, 1, 2, 3, 4, 5)
    assert plan.total_points == 75
    assert sum(item.points for item in plan.items) == 75
    assert plan.days[0].date == date(2025, 1, 24)
    assert plan.days[1].blockers[0].resolution == "Increased pool size and connection timeout"
    assert next(i for i in plan.items if i.id == "PERF-001").issues == ("PRD-102", "PRD-103")


def write(tmp_path: Path, text: str) -> Path:
    """Write `text` as a YAML file in `tmp_path`."""
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("theme: x\n", r"sprint: required key is missing"),
        ("sprint: 5\nworking_days: [mon, funday]\n", r"working_days: .*weekday names"),
        ("sprint: 5\nstart: 2025-02-04\nend: 2025-01-24\n", r"end 2025-01-24 is before start"),
        (
            (
                "sprint: 5\nitems:\n  - {id: A, title: a, points: 1, issues: [X-1]}\n"
                "  - {id: B, title: b, points: 1, issues: [X-1]}\n"
            ),
            r"items\[\]\.issues: each value may appear once, repeated: X-1",
        ),
        ("sprint: 5\nitems:\n  - {id: A, title: a, points: -1}\n", r"items\[0\]\.points"),
        ("sprint: 5\ndays:\n  - {date: 2025-13-01, goal: x}\n", r"days\[0\]\.date"),
        ("sprint: 5\nitem: []\n", r"item: unknown key"),
    ],
)
def test_bad_plan_names_file_and_key(tmp_path, text, message):
    """A bad plan is a ConfigError (exit 2) naming the plan file and the key."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_plan(path)
    assert str(caught.value).startswith(str(path))
    assert caught.value.exit_code == 2


def test_plan_for_another_sprint_is_refused(tmp_path):
    """A plan written for sprint 5 is refused when the tracker's sprint is another one."""
    plan = load_plan(write(tmp_path, "sprint: 5\n"))
    check_plan_matches(plan, plan_path=Path("p.yaml"), sprint_id="5", sprint_name="Sprint 5")
    named = load_plan(write(tmp_path, "sprint: Sprint 6\n"))
    check_plan_matches(named, plan_path=Path("p.yaml"), sprint_id="6", sprint_name="Sprint 6")
    with pytest.raises(ConfigError, match=r"plan is for sprint '5', but the tracker's sprint"):
        check_plan_matches(plan, plan_path=Path("p.yaml"), sprint_id="6", sprint_name="Sprint 6")
