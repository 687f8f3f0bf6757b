"""The settings screens' rules without a screen: a PIN change's checks and the roles offered for a
scanned device."""

from __future__ import annotations

import pytest

from genki.config import hash_pin
from kiosk.ui.pairing import roles_for
from kiosk.ui.settings import pin_change_problem

PIN = "2468"


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "problem"),
    [
        (PIN, "13579", "13579", None),
        ("２４６８", "13579", "１３５７９", None),  # full-width digits from a Japanese keyboard
        ("8642", "13579", "13579", "kiosk.settings.pin_current_wrong"),
        ("", "13579", "13579", "kiosk.settings.pin_current_wrong"),
        (PIN, "135", "135", "kiosk.settings.pin_rule"),
        (PIN, "123456789", "123456789", "kiosk.settings.pin_rule"),
        (PIN, "13a79", "13a79", "kiosk.settings.pin_rule"),
        (PIN, "13579", "13570", "kiosk.settings.pin_mismatch"),
        (PIN, "13579", "", "kiosk.settings.pin_mismatch"),
    ],
)
def test_a_pin_change_needs_the_current_pin_and_the_same_valid_new_pin_twice(
    pin_hash: str, current: str, new: str, repeat: str, problem: str | None
) -> None:
    assert pin_change_problem(pin_hash, current, new, repeat) == problem


def test_without_a_pin_yet_the_first_one_needs_no_current_pin() -> None:
    assert pin_change_problem(None, "", "13579", "13579") is None


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("progressor", "gauge"),
        ("gkfp", "plate"),
        ("blood_pressure", "cuff"),
        ("pulse_oximeter", "oximeter"),
        ("thermometer", "thermometer"),
    ],
)
def test_the_role_a_device_kind_suggests_is_offered_first(kind: str, first: str) -> None:
    roles = roles_for(kind)
    assert roles[0] == first
    assert sorted(roles) == ["cuff", "gauge", "oximeter", "plate", "thermometer"]
