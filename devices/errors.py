"""Errors raised by devices/.

::

    DeviceError                     a device cannot be used as asked
    ├── DeviceUrlError              a URL that names no known scheme, protocol or option
    ├── DeviceUnavailableError      the port or peripheral cannot be opened or was lost
    │   └── DeviceTimeoutError      the device did not answer in time
    └── ProtocolError               bytes or a reply that break the protocol (always counted)
"""

from __future__ import annotations


class DeviceError(Exception):
    """A device cannot be used as asked."""


class DeviceUrlError(DeviceError, ValueError):
    """A device URL that names no known scheme, protocol or option; the message shows a good one."""


class DeviceUnavailableError(DeviceError):
    """The port or peripheral cannot be opened, or it went away."""


class DeviceTimeoutError(DeviceUnavailableError):
    """The device did not answer within its timeout."""


class ProtocolError(DeviceError):
    """Bytes or a reply that break the protocol."""
