"""Writes the report to a local file, atomically: the old file stays whole until the new one is."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from sprintsync.domain import PublishResult, RenderedReport
from sprintsync.errors import ConfigError, PublishError

FORMATS = {".md": "markdown", ".json": "json_text", ".xhtml": "storage", ".svg": "svg"}


class FileSink:
    """A Markdown (.md), status JSON (.json), storage (.xhtml) or burndown (.svg) file."""

    def __init__(self, *, path: Path) -> None:
        if path.suffix.lower() not in FORMATS:
            raise ValueError(f"unsupported report file extension: {path}")
        refuse_symlink(path)
        self._path = path

    async def publish(self, report: RenderedReport) -> PublishResult:
        """Write the file unless it already holds exactly this report."""
        content: str = getattr(report, FORMATS[self._path.suffix.lower()])
        destination = f"file {self._path}"
        refuse_symlink(self._path)  # made since the run began: never read or write through it
        if self._path.exists() and self._path.read_text(encoding="utf-8") == content:
            url = self._path.resolve().as_uri()
            return PublishResult(destination=destination, url=url, changed=False)
        write_atomically(self._path, content)
        return PublishResult(destination=destination, url=self._path.resolve().as_uri())


def refuse_symlink(path: Path) -> None:
    """A ConfigError (exit 2) when the destination itself is a symbolic link.

    Writing through a link would put the report wherever the link points; replacing it would
    silently turn it into a file. Neither is what an operator who made a link wants.
    """
    if path.is_symlink():
        raise ConfigError(
            f"file destination {path} is a symbolic link (to {path.readlink()}); "
            "expected a regular file or a new path: point the config at the real file"
        )


def write_atomically(path: Path, content: str) -> None:
    """Replace `path` with `content` in one step (temp file in the same folder, then rename).

    On any failure the temp file is removed and `path` is left as it was.
    """
    temp_name: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as temp:
            temp.write(content)
            temp.flush()
            os.fsync(temp.fileno())
        Path(temp_name).replace(path)
        temp_name = None
    except OSError as error:
        raise PublishError(
            f"cannot write the report to {path}: {error.strerror}", service="file"
        ) from None
    except UnicodeEncodeError as error:
        raise PublishError(
            f"cannot write the report to {path}: {error.reason} at character {error.start}",
            service="file",
        ) from None
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                Path(temp_name).unlink()
