"""Keep secrets out of logs and messages (style 12, interfaces.md "Secrets").

:class:`Redactor` masks (a) every secret value it was given (the ``SecretStr``
values of :class:`~connector.config.settings.Settings`), (b) token-like query
parameters (``access_token=``, ``sessionId=``, ``hapikey=``...), (c) passwords in
URLs (``scheme://user:PASSWORD@host``) and (d) ``Bearer``/``OAuth`` header values.
:func:`configure_logging` installs it on the root handler, writing to stderr so
stdout stays parseable (interfaces.md).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

MASK = "**********"

_QUERY_SECRET = re.compile(
    r"(?i)([?&;\s\"'](?:access_token|refresh_token|token|client_secret|password|passwd|"
    r"session_?id|sid|hapikey|api_?key|apikey|code|signature|sig|secret)=)([^&\s\"';#]+)"
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)(@)")
_AUTH_HEADER = re.compile(r"(?i)\b(Bearer|OAuth)\s+([A-Za-z0-9._~+/=!-]{8,})")

#: Secrets shorter than this are not masked by value (too many false hits, e.g. "0").
_MIN_SECRET = 4


class Redactor:
    """Masks known secret values and secret-looking patterns in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """Start with ``secrets`` (plain values); more can be added later."""
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Also mask these values from now on."""
        self._secrets.update(s for s in secrets if s and len(s) >= _MIN_SECRET)

    def __call__(self, text: str) -> str:
        """``text`` with every secret masked."""
        # Longest first, so a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        text = _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, text)
        text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)
        return _AUTH_HEADER.sub(lambda m: f"{m.group(1)} {MASK}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message and masks secrets in it."""

    def __init__(self, redactor: Redactor) -> None:
        """Use ``redactor`` for every record."""
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops a record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = self.redactor(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        record.exc_info = None if record.exc_text else record.exc_info
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at emit time (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        del value  # always the current sys.stderr


#: The process-wide redactor the CLI fills with the settings' secrets.
_REDACTOR = Redactor()


def redactor() -> Redactor:
    """The redactor used by the logging setup and the CLI's error output."""
    return _REDACTOR


_QUIET_LIBRARIES = ("alembic", "urllib3", "simple_salesforce", "hubspot")


def configure_logging(
    *, level: str | int = "INFO", stream: TextIO | None = None, verbose: bool = False
) -> logging.Handler:
    """Send logs to stderr through the redacting filter (idempotent).

    Args:
        level: the root level (``LEADSYNC_LOG_LEVEL``).
        stream: where to write; default ``sys.stderr`` (never stdout).
        verbose: include logger names and times.

    Returns:
        The installed handler.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_leadsync", False):
            root.removeHandler(handler)
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    )
    handler._leadsync = True  # type: ignore[attr-defined]
    fmt = (
        "%(asctime)s %(levelname)s %(name)s: %(message)s"
        if verbose
        else "%(levelname)s %(message)s"
    )
    handler.setFormatter(logging.Formatter(fmt))
    handler.addFilter(RedactingFilter(_REDACTOR))
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    # Library chatter (migration plugins, connection pools) is noise to an operator.
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    return handler


__all__ = ["MASK", "RedactingFilter", "Redactor", "configure_logging", "redactor"]
