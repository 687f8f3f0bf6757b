"""Errors raised by measures/.

::

    MeasureError            a signal cannot be scored as asked
    └── SignalError         too few samples, NaN or infinite values, a bad rate or shape
"""

from __future__ import annotations


class MeasureError(Exception):
    """A signal cannot be scored as asked."""


class SignalError(MeasureError, ValueError):
    """The signal itself is unusable (length, values, rate); the message says which."""
