"""GKFP/1 over Bluetooth LE (genki-forceplate.md §4a): the GATT layout; the frames are GKFP/1's."""

from __future__ import annotations

from typing import Final

SERVICE_UUID: Final = "6b1f0001-9e2d-4c5a-8f4e-67656e6b6931"
STREAM_UUID: Final = "6b1f0002-9e2d-4c5a-8f4e-67656e6b6931"  # notify: device -> host byte stream
COMMAND_UUID: Final = "6b1f0003-9e2d-4c5a-8f4e-67656e6b6931"  # write: one ASCII command line
NAME_PREFIX: Final = "GKFP-"
