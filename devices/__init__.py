"""Hardware adapters: bytes in, typed frames out.

Devices open from URLs through one lazy registry (bleak for BLE, pyserial for serial).
Transports are thin, protocol codecs are pure (bytes to frames, commands to bytes) and drivers
join one transport to one codec. Frames are frozen dataclasses with unit-suffixed fields;
gaps are never silent.
"""
