"""Text from outside (tracker answers, YAML) made encodable: lone surrogates become U+FFFD."""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
# A JSON or YAML escape of a UTF-16 surrogate: only then can a parsed string hold a lone one.
SURROGATE_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F]|U0000[dD][89a-fA-F])")


def clean_text(text: str) -> str:
    """`text` with every lone surrogate (U+D800 to U+DFFF unpaired) as U+FFFD; pairs are joined.

    A lone surrogate cannot be encoded as UTF-8, so it would crash every writer (a file, a
    page, a comment) after the others had published.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean_strings(value: Any) -> Any:  # noqa: ANN401 - any parsed JSON or YAML value
    """Every string in a parsed document (keys too) through `clean_text`; depth is bounded."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_strings(item) for item in value]
    if isinstance(value, dict):
        return {clean_strings(key): clean_strings(item) for key, item in value.items()}
    return value
