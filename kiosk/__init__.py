"""The exercise-room station: the acquisition service (no UI) and the Textual touchscreen app.

The station runs devices, scorers and the trial state machine on its own thread; the UI renders
immutable view models and calls the station facade.
"""
