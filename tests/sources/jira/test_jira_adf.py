from sprintsync.sources.jira.adf import build_details, build_result, to_plain_text


def text(value: str, **marks) -> dict:
    """An ADF text node."""
    node: dict = {"type": "text", "text": value}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


def para(*content: dict) -> dict:
    """An ADF paragraph."""
    return {"type": "paragraph", "content": list(content)}


def listing(kind: str, *items: list[dict]) -> dict:
    """An ADF bullet or ordered list whose items hold the given inline nodes."""
    return {"type": kind, "content": [{"type": "listItem", "content": [para(*i)]} for i in items]}


def doc(*blocks: dict) -> dict:
    """An ADF document."""
    return {"type": "doc", "version": 1, "content": list(blocks)}


def test_plain_text_renders_inline_nodes_by_their_text():
    """Mentions, emoji, inline cards, code marks and hard breaks become readable text."""
    document = doc(
        para(
            text("Ask "),
            {"type": "mention", "attrs": {"id": "5b10", "text": "@Mia Krystof"}},
            text(" "),
            {"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
            {"type": "hardBreak"},
            text("see "),
            {"type": "inlineCard", "attrs": {"url": "https://example.com/x"}},
            text(" and "),
            text("run()", code=True),
        ),
        {"type": "codeBlock", "attrs": {"language": "sh"}, "content": [text("make test")]},
    )
    assert (
        to_plain_text(document)
        == "Ask @Mia Krystof 😄\nsee https://example.com/x and run()\nmake test"
    )


def test_plain_text_lists_and_unknown_nodes_keep_their_text():
    """Ordered lists become dashed lines; an unknown node shows its text children."""
    document = doc(
        listing("orderedList", [text("one")], [text("two")]),
        {"type": "mysteryMacro", "content": [para(text("inside"))]},
    )
    assert to_plain_text(document) == "- one\n- two\ninside"


def test_details_are_the_first_bullet_list_only():
    """Only the first bullet list's items are details, each on one line."""
    document = doc(
        para(text("Context")),
        listing("bulletList", [text("Added "), text("metrics", strong=True)], [text("Exporters")]),
        listing("bulletList", [text("not this")]),
    )
    assert build_details(document) == ("Added metrics", "Exporters")


def test_result_comes_from_the_paragraph_starting_with_result():
    """The text after 'Result:' in the first such paragraph; a bold label still counts."""
    document = doc(
        para(text("Results are good")),
        para(text("Result", strong=True), text(": ✅ Real-time metrics collection operational")),
    )
    assert build_result(document) == "✅ Real-time metrics collection operational"


def test_result_item_inside_the_bullet_list_is_not_a_detail():
    """A 'Result:' bullet is the result and is left out of the details."""
    document = doc(listing("bulletList", [text("Did a thing")], [text("Result: shipped")]))
    assert build_details(document) == ("Did a thing",)
    assert build_result(document) == "shipped"


def test_no_description_gives_no_details_and_no_result():
    """A null description (no ADF) yields nothing."""
    assert build_details(None) == ()
    assert build_result(None) is None
    assert to_plain_text(None) == ""


def nested(depth: int) -> dict:
    """A document of `depth` nested blockquotes around one bullet list and one Result line."""
    node: dict = {
        "type": "panel",
        "content": [listing("bulletList", [text("deep detail")]), para(text("Result: reached"))],
    }
    for _ in range(depth):
        node = {"type": "blockquote", "content": [node]}
    return doc(node)


def test_adf_nested_far_past_the_recursion_limit_is_read():
    """ADF nested 5,000 deep (400 crashed with RecursionError) still gives details and result."""
    document = nested(5_000)
    assert build_details(document) == ("deep detail",)
    assert build_result(document) == "reached"
    assert "deep detail" in to_plain_text(document)
