import re
from pathlib import Path

import pytest

from sprintsync.config import HttpConfig
from sprintsync.http.errors import DEFAULT_HINTS

DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"


@pytest.mark.parametrize("key", sorted(HttpConfig.model_fields))
def test_every_http_key_is_documented(key):
    """Every `http:` key appears in docs/reliability.md."""
    assert f"  {key}: " in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("status", sorted(DEFAULT_HINTS))
def test_every_status_with_a_default_hint_is_explained(status):
    """Every status the error mapping explains has a row in the error table."""
    assert f"answered {status}" in DOC.read_text(encoding="utf-8")


def test_every_test_the_doc_names_exists():
    """A test the doc cites as proof (`test_x`, `path::test_x`) is defined under tests/."""
    tests = DOC.parent.parent / "tests"
    defined = {
        name
        for path in tests.rglob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text("utf-8"), re.MULTILINE)
    }
    cited = set(re.findall(r"`[^`\s]*?(test_\w+)`", DOC.read_text(encoding="utf-8")))
    assert cited, "the pattern found no test name: it is broken, not the doc"
    assert sorted(cited - defined) == []
