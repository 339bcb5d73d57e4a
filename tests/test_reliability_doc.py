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
