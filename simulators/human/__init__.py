"""Seeded models of people on a force plate: sway, one-leg stance, stepping."""
