"""Simulated force plates speaking GKFP/1 and HX711 bytes through pseudo-terminals."""
