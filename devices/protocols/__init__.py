"""Pure protocol codecs: bytes to frames and commands to bytes, no I/O."""
