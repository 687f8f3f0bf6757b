"""Simulated timers: a Chronopic box behind a pseudo-terminal."""
