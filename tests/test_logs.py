import base64
import io
import json

import structlog

from sprintsync.logs import Redactor, configure_logging


def test_redactor_hides_values_base64_pairs_and_url_credentials():
    """Known secrets, their Basic-auth Base64 form and user:pass@ in URLs never survive."""
    redactor = Redactor(["s3cr3t-token", "me@example.com:s3cr3t-token"])
    basic = base64.b64encode(b"me@example.com:s3cr3t-token").decode()
    text = f"token s3cr3t-token, header Basic {basic}, url https://me:pw@host/x"
    cleaned = redactor.text(text)
    assert "s3cr3t-token" not in cleaned
    assert basic not in cleaned
    assert "me:pw" not in cleaned
    assert "https://***@host/x" in cleaned


def test_json_log_lines_redact_secret_keys_and_values():
    """Off a terminal, events are JSON lines; secret-named keys and secret values are redacted."""
    stream = io.StringIO()
    configure_logging(stream=stream, redactor=Redactor(["hunter2-secret"]), json=True)
    structlog.get_logger("t").info(
        "jira.page_fetched", authorization="Basic abc", note="key hunter2-secret", count=3
    )
    event = json.loads(stream.getvalue().splitlines()[-1])
    assert event["event"] == "jira.page_fetched"
    assert event["authorization"] == "***"
    assert event["note"] == "key ***"
    assert event["count"] == 3
    assert event["level"] == "info"


def test_clip_redacts_before_cutting_and_redacts_a_secret_start_at_the_cut():
    """A secret across the cut leaves neither itself nor its first characters behind."""
    redactor = Redactor(["jira-SECRET-4f1c9e2a77"])
    assert redactor.clip("ab jira-SECRET-4f1c9e2a77 cd", 8) == "ab *** c"
    assert redactor.clip("ab jira-SECRET-4f1c9e2a77 cd", 10) == "ab *** cd"
    assert redactor.clip("xx jira-SECRET-4f1c9e2a77", 10) == "xx ***"
    assert redactor.clip("xx jira-SECRET-4f1c9e2a", 30, cut=True) == "xx ***…"
    assert redactor.clip("xx jira-SECRET-4f", 30, cut=True) == "xx ***…"
    assert redactor.clip("xx jir", 30) == "xx jir"  # not cut: an ordinary word stays


def test_a_credential_is_known_in_every_encoding_a_client_sends():
    """Raw, user:token, its Base64, the Basic and Bearer header values, URL-quoted."""
    redactor = Redactor()
    redactor.add_credential("t0k/en+x", user="me@example.com")
    basic = base64.b64encode(b"me@example.com:t0k/en+x").decode()
    for form in ["t0k/en+x", "me@example.com:t0k/en+x", basic, "t0k%2Fen%2Bx"]:
        assert redactor.text(f"<{form}>") == "<***>", form
    assert redactor.clip(f"auth: {basic[:10]}", 30, cut=True) == "auth: ***…"
