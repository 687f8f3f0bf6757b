"""Fake devices that speak the real bytes, driven by seeded human-signal models.

Each simulator is a second, independent implementation of a wire format: its constants are written
as literals here and never imported from devices/, so simulator and adapter check each other.
Serial simulators run behind a pseudo-terminal pair; BLE simulators are GATT peripherals on bumble.
"""
