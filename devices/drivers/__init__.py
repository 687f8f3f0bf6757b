"""Drivers: one transport joined to one codec, producing frames."""
