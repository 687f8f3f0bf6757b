"""Errors raised by sync/.

::

    SyncError            sync cannot do what was asked
    ├── TopicError       a topic or id that does not fit genki's topic layout
    ├── PayloadError     a payload that is malformed, oversized or of an unknown schema
    └── BrokerError      the broker cannot be reached or refused us
"""

from __future__ import annotations


class SyncError(Exception):
    """Sync cannot do what was asked."""


class TopicError(SyncError, ValueError):
    """A topic or id that does not fit genki's topic layout; the message says what is expected."""


class PayloadError(SyncError, ValueError):
    """A payload that cannot be accepted; ``reason`` is a short code stored with the quarantine."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class BrokerError(SyncError):
    """The broker cannot be reached or refused the connection."""
