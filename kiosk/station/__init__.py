"""The acquisition service: devices, trials, scoring and saving, behind a thread-safe facade."""
