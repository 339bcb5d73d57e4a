"""structlog set-up: JSON lines off a terminal, readable lines on one, secrets always redacted."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO
from urllib.parse import quote

import structlog

REDACTED = "***"
SECRET_KEYS = re.compile(r"authorization|token|password|secret|cookie|api[_-]?key", re.IGNORECASE)
URL_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]+(:[^/\s@]*)?@", re.IGNORECASE
)
MIN_SECRET = 4  # shorter values (and shorter prefixes at a cut) would redact ordinary words
ELLIPSIS = "…"


class Redactor:
    """Removes known secret values, secret-named keys and URL credentials from any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Learn more secret values; each is also known in its Base64 and URL-quoted forms."""
        values = set(self._values)
        for secret in secrets:
            if len(secret) >= MIN_SECRET:
                values.add(secret)
                values.add(base64.b64encode(secret.encode()).decode())
                values.add(quote(secret, safe=""))
        self._values = sorted(values, key=len, reverse=True)

    def add_credential(self, secret: str, *, user: str | None = None) -> None:
        """Learn a credential a client sends: raw, `user:secret`, and both header values."""
        forms = [secret, f"Bearer {secret}"]
        if user is not None:
            pair = f"{user}:{secret}"
            forms += [pair, f"Basic {base64.b64encode(pair.encode()).decode()}"]
        self.add(forms)

    def clip(self, text: str, limit: int, *, cut: bool = False) -> str:
        """`text` redacted, then cut to `limit` characters, a secret's start at the cut redacted.

        `cut` says `text` was already cut at its end (the first bytes of a body).
        """
        text = self.text(text)
        if len(text) > limit:
            text, cut = text[:limit], True
        if not cut:
            return text
        tail = max(
            (
                size
                for value in self._values
                for size in range(min(len(value) - 1, len(text)), MIN_SECRET - 1, -1)
                if text.endswith(value[:size])
            ),
            default=0,
        )
        return text[:-tail] + REDACTED + ELLIPSIS if tail else text

    def text(self, text: str) -> str:
        """`text` with every secret value and URL credential replaced by ***."""
        for value in self._values:
            text = text.replace(value, REDACTED)
        return URL_CREDENTIALS.sub(rf"\g<scheme>{REDACTED}@", text)

    def value(self, value: Any) -> Any:  # noqa: ANN401 - any log value
        """Redact a log value, recursing into mappings and sequences."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {
                k: REDACTED if SECRET_KEYS.search(str(k)) else self.value(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def __call__(
        self,
        _logger: object,
        _method: str,
        event_dict: MutableMapping[str, Any],
    ) -> MutableMapping[str, Any]:
        """Redact one event (a structlog processor)."""
        for key in list(event_dict):
            if SECRET_KEYS.search(key):
                event_dict[key] = REDACTED
            else:
                event_dict[key] = self.value(event_dict[key])
        return event_dict


_run_redactor = Redactor()


def clip(text: str, limit: int, *, cut: bool = False) -> str:
    """`Redactor.clip` with the run's redactor (the one `configure_logging` was given)."""
    return _run_redactor.clip(text, limit, cut=cut)


def configure_logging(
    *, stream: TextIO, redactor: Redactor, verbose: bool = False, json: bool | None = None
) -> None:
    """Send structlog events to `stream` (stderr in the CLI) through the redactor.

    The redactor also becomes the run's: `clip` (error bodies cut to a length) redacts with it.
    """
    global _run_redactor  # noqa: PLW0603 - one run, one redactor, like structlog's own config
    _run_redactor = redactor
    as_json = not stream.isatty() if json is None else json
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info if verbose else _drop_exc_info,
            redactor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.DEBUG if verbose else logging.INFO
        ),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def _drop_exc_info(
    _logger: object,
    _method: str,
    event_dict: MutableMapping[str, Any],
) -> MutableMapping[str, Any]:
    """Without --verbose no traceback reaches the log."""
    event_dict.pop("exc_info", None)
    return event_dict
