"""Errors of the station's device commands (kiosk.station.service).

::

    DeviceCommandError        a device command (capture, reopen) could not be done; the message
                              says which device, what happened and what to do
"""

from __future__ import annotations


class DeviceCommandError(RuntimeError):
    """A device command of the station could not be done (module docstring)."""
