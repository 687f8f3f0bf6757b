"""Test batteries, exercise catalogue, prescriptions, explanations and plan documents.

Batteries and exercises are data; prescription, progression and explanations are pure functions
from assessments, vital signs and session history to a programme and to plain words (ja and en).
"""
