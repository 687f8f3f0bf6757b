"""Thin transports: serial ports (pyserial) and BLE (bleak)."""
