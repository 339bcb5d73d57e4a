"""The fast indented JSON writer gives exactly the stdlib's text, for any JSON value."""

from __future__ import annotations

import json
from enum import StrEnum

from hypothesis import given
from hypothesis import strategies as st

from sprintsync.report.json_text import indented_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


def stdlib(value: object) -> str:
    """The reference: the stdlib's indented text."""
    return json.dumps(value, indent=2, ensure_ascii=False)


@given(values)
def test_the_text_is_the_stdlib_text(value: object) -> None:
    """Any nesting of any JSON scalar, NaN and infinities included."""
    assert indented_json(value) == stdlib(value)


def test_what_it_does_not_write_itself_the_stdlib_writes() -> None:
    """A str subclass and non-str keys take the stdlib's own path."""

    class Colour(StrEnum):
        RED = "red"

    odd = {"a": [Colour.RED, {1: "int key", 2.5: "float key"}], "b": {True: None}}
    assert indented_json(odd) == stdlib(odd)
    assert '"1": "int key"' in indented_json(odd)


def test_escapes_and_nesting_are_the_stdlib_ones() -> None:
    """Quotes, backslashes, controls and U+2028 are escaped as the stdlib escapes them."""
    value = {"title": 'quote " back \\ newline \n tab \t ü \u2028', "days": [[], {}, [1, [2.5]]]}
    assert indented_json(value) == stdlib(value)
    line = indented_json(value).split("\n")[1]  # not splitlines(): U+2028 is a line end there
    assert line == '  "title": "quote \\" back \\\\ newline \\n tab \\t ü \u2028",'
