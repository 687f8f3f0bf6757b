"""Errors raised by measures/.

::

    MeasureError                 a signal or a pair of results cannot be scored as asked
    ├── SignalError              the signal itself is unusable (also a ValueError)
    │   ├── TooFewSamplesError   fewer samples than the measure needs
    │   ├── NonFiniteSampleError a NaN or infinite sample; the message gives axis and index
    │   └── BadRateError         a sampling rate that is not a positive finite number,
    │                            or too low for the requested preprocessing
    └── SetupMismatchError       results computed with different set-ups compared with each other

Every message names the problem and what is expected, so the CLI can show it as it is.
"""

from __future__ import annotations


class MeasureError(Exception):
    """A signal or a pair of results cannot be scored as asked."""


class SignalError(MeasureError, ValueError):
    """The signal itself is unusable (length, values, rate); the message says which."""


class TooFewSamplesError(SignalError):
    """Fewer samples than the measure needs."""


class NonFiniteSampleError(SignalError):
    """A NaN or infinite sample; ``axis`` and ``index`` say where the first one is."""

    def __init__(self, axis: str, index: int) -> None:
        super().__init__(f"{axis} sample {index} is NaN or infinite; expected finite numbers only")
        self.axis = axis
        self.index = index


class BadRateError(SignalError):
    """A sampling rate that is not positive and finite, or too low for the preprocessing."""


class SetupMismatchError(MeasureError):
    """Two results computed with different set-ups (rate, filter) compared with each other."""
