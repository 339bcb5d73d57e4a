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
