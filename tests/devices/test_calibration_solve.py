"""Known-weight calibration (genki-forceplate.md §3.7): the slopes solved from synthetic counts of
known slopes are recovered, the verification passes them and fails a miswired or noisy set, and
bad input is refused with a message saying what is expected; a session zero refuses a loaded plate
and one that varies more than three times the noise measured at its calibration; the second
mass at the centre with the first checks linearity (±1 %).

Synthetic counts are written here from the load split of a rigid top on four equal cells (each
corner's load linear in its position, both diagonals carrying half), independently of the solver.
"""

from __future__ import annotations

import numpy as np
import pytest

from devices.calibration import (
    ZERO_LIMIT_N,
    Linearity,
    Loading,
    PlateCalibration,
    PlateNotEmptyError,
    PlateUnsteadyError,
    calibrate_known_weight,
    session_zero,
    solve_slopes,
    verify_calibration,
)

SPACING = (500.0, 400.0)
TRUE_SLOPES = np.array([1.02e-3, 0.97e-3, 1.05e-3, 0.99e-3])  # N per count
ZERO_COUNTS = np.array([12_000.0, -3_400.0, 250.0, 8_100.0])
MASS_KG = 20.0
WEIGHT_N = MASS_KG * 9.80665
POSITIONS = [(-250.0, 200.0), (250.0, 200.0), (-250.0, -200.0), (250.0, -200.0), (0.0, 0.0)]
PREVIOUS = PlateCalibration((1e-3,) * 4, (0.0,) * 4, *SPACING)


def corner_loads_n(x_mm: float, y_mm: float) -> np.ndarray:
    u, v = 2 * x_mm / SPACING[0], 2 * y_mm / SPACING[1]
    return WEIGHT_N / 4 * np.array([1 - u + v, 1 + u + v, 1 - u - v, 1 + u - v])


def loading(position: tuple[float, float], columns: list[int] | None = None) -> Loading:
    counts = ZERO_COUNTS + corner_loads_n(*position) / TRUE_SLOPES
    return Loading(position, tuple(counts[columns] if columns else counts))


def unloaded(rng: np.random.Generator, noise_counts: float = 2.0) -> np.ndarray:
    return ZERO_COUNTS + rng.normal(0.0, noise_counts, (500, 4))


def test_the_slopes_of_synthetic_counts_are_recovered() -> None:
    fit = solve_slopes(ZERO_COUNTS, [loading(p) for p in POSITIONS], WEIGHT_N, SPACING)
    np.testing.assert_allclose(fit.slopes, TRUE_SLOPES, rtol=1e-9)
    assert fit.rms_residual_n < 1e-9


def test_a_calibration_from_noisy_zero_counts_passes_verification_and_reads_the_weight() -> None:
    seed = 11
    print(f"seed {seed}")
    result = calibrate_known_weight(
        PREVIOUS, unloaded(np.random.default_rng(seed)), [loading(p) for p in POSITIONS], MASS_KG
    )
    np.testing.assert_allclose(result.calibration.slopes, TRUE_SLOPES, rtol=1e-3)
    assert result.verification.passed, result.verification.failures
    assert {c.name for c in result.verification.checks} == {
        "slopes_positive", "centre_force", "centre_cop", "orientation"
    }  # fmt: skip
    np.testing.assert_allclose(result.noise_counts, 2.0, rtol=0.15)
    centre = np.asarray(loading((0.0, 0.0)).mean_counts)
    fz = float(np.sum(centre * result.calibration.slopes + result.calibration.offsets))
    assert fz == pytest.approx(WEIGHT_N, rel=1e-3)
    stored = result.to_parameters()
    assert stored["procedure"] == "known_weight"
    assert stored["masses_kg"] == [MASS_KG]
    assert PlateCalibration.from_dict(stored) == result.calibration


def test_a_quadrant_loading_is_checked_against_its_position() -> None:
    quadrant = loading((125.0, 100.0))
    fit = solve_slopes(ZERO_COUNTS, [loading(p) for p in POSITIONS], WEIGHT_N, SPACING)
    offsets = tuple(-np.asarray(fit.slopes) * ZERO_COUNTS)
    good = PlateCalibration(fit.slopes, offsets, *SPACING)
    loadings = [loading(p) for p in POSITIONS] + [quadrant]
    checks = verify_calibration(good, loadings, WEIGHT_N).checks
    assert [c.passed for c in checks if c.name == "quadrant_cop"] == [True]
    skewed = PlateCalibration((fit.slopes[0], fit.slopes[1] * 1.1, *fit.slopes[2:]), offsets,
                              *SPACING)  # fmt: skip
    failed = verify_calibration(skewed, loadings, WEIGHT_N).failures
    assert "quadrant_cop" in {c.name for c in failed}


def test_a_plate_wired_with_front_and_back_swapped_fails_the_orientation_check() -> None:
    swapped = [2, 3, 0, 1]  # the BL, BR cells on the FL, FR inputs and the other way round
    zero = unloaded(np.random.default_rng(5))[:, swapped]
    loadings = [loading(p, swapped) for p in POSITIONS]
    result = calibrate_known_weight(PREVIOUS, zero, loadings, MASS_KG)
    assert not result.verification.passed
    assert "orientation" in {c.name for c in result.verification.failures}


def test_a_noisy_set_of_loadings_fails_verification_at_the_centre() -> None:
    seed = 23
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    loadings = [
        Loading(ld.position_mm, tuple(np.asarray(ld.mean_counts) + rng.normal(0, 3_000, 4)))
        for ld in (loading(p) for p in POSITIONS)
    ]
    result = calibrate_known_weight(PREVIOUS, unloaded(rng), loadings, MASS_KG)
    failed = {c.name for c in result.verification.failures}
    assert failed & {"centre_force", "centre_cop"}, result.verification.checks
    assert all(c.detail for c in result.verification.checks)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"count": 4}, r"4 loadings given; expected at least 5"),
        ({"weight_n": 0.0}, r"weight 0.0 N given; expected the positive weight"),
        ({"weight_n": -5.0}, r"expected the positive weight"),
        ({"zero": [1.0, 2.0, 3.0]}, r"expected 4 finite mean counts"),
        ({"spacing": (0.0, 400.0)}, r"expected two positive lengths"),
        ({"repeat": True}, r"do not determine the four slopes"),
    ],
)
def test_bad_solver_input_is_refused_saying_what_is_expected(
    change: dict[str, object], message: str
) -> None:
    loadings = [loading(p) for p in POSITIONS][: int(change.get("count", 5))]  # type: ignore[call-overload]
    if change.get("repeat"):
        loadings = [loading((0.0, 0.0))] * 5
    with pytest.raises(ValueError, match=message):
        solve_slopes(
            change.get("zero", ZERO_COUNTS),  # type: ignore[arg-type]
            loadings,
            float(change.get("weight_n", WEIGHT_N)),  # type: ignore[arg-type]
            change.get("spacing", SPACING),  # type: ignore[arg-type]
        )


def test_bad_loadings_and_masses_are_refused_saying_what_is_expected() -> None:
    with pytest.raises(ValueError, match=r"expected 4 finite numbers \(FL, FR, BL, BR\)"):
        Loading((0.0, 0.0), (1.0, 2.0, float("nan"), 4.0))
    with pytest.raises(ValueError, match=r"mass 0 kg given; expected a positive mass in kg"):
        calibrate_known_weight(PREVIOUS, unloaded(np.random.default_rng(1)),
                               [loading(p) for p in POSITIONS], 0)  # fmt: skip
    with pytest.raises(ValueError, match=r"expected at least 2 samples of 4 channels"):
        calibrate_known_weight(PREVIOUS, ZERO_COUNTS, [loading(p) for p in POSITIONS], MASS_KG)
    with pytest.raises(ValueError, match=r"needs a loading at the centre"):
        verify_calibration(PREVIOUS, [loading(p) for p in POSITIONS[:4]], WEIGHT_N)


def test_a_session_zero_sets_the_offsets_and_refuses_a_loaded_plate() -> None:
    raw = unloaded(np.random.default_rng(2))
    zeroed = session_zero(PREVIOUS, raw, np.full(len(raw), ZERO_LIMIT_N - 1))
    np.testing.assert_allclose(raw.mean(axis=0) * zeroed.slopes + zeroed.offsets, 0, atol=1e-9)
    with pytest.raises(PlateNotEmptyError, match=r"the plate reads 25 N; expected within ±20 N"):
        session_zero(PREVIOUS, raw, np.full(len(raw), 25.0))


def test_a_session_zero_refuses_a_plate_noisier_than_three_times_its_commissioning_noise() -> None:
    calibrated = calibrate_known_weight(
        PREVIOUS, unloaded(np.random.default_rng(3)), [loading(p) for p in POSITIONS], MASS_KG
    )
    noise = calibrated.noise_counts  # about 2 counts per channel
    fz = np.zeros(500)
    steady = unloaded(np.random.default_rng(4), noise_counts=2.0)
    session_zero(PREVIOUS, steady, fz, noise)  # as noisy as at calibration: zeroed
    shaken = steady.copy()
    shaken[:, 2] += 8.0 * np.sin(np.linspace(0, 20 * np.pi, len(shaken)))  # BL shaken
    with pytest.raises(PlateUnsteadyError, match=r"channel BL varies by 6\.\d counts") as refused:
        session_zero(PREVIOUS, shaken, fz, noise)
    assert refused.value.limit_counts == pytest.approx(3 * noise[2])
    session_zero(PREVIOUS, shaken, fz)  # never calibrated here: only the force is checked
    with pytest.raises(ValueError, match=r"3 noise levels given; expected 4"):
        session_zero(PREVIOUS, steady, fz, noise[:3])


def both_at_the_centre(second_kg: float, gain: float = 1.0) -> Linearity:
    """Both masses at the centre, read by cells whose response is ``gain`` times linear."""
    weight_n = (MASS_KG + second_kg) * 9.80665
    counts = ZERO_COUNTS + gain * (weight_n / 4) / TRUE_SLOPES
    return Linearity(second_kg, Loading((0.0, 0.0), tuple(counts)))


@pytest.mark.parametrize(("gain", "passed"), [(1.0, True), (1.009, True), (1.02, False)])
def test_the_second_mass_checks_linearity_within_1_percent(gain: float, passed: bool) -> None:
    result = calibrate_known_weight(
        PREVIOUS, unloaded(np.random.default_rng(5)), [loading(p) for p in POSITIONS], MASS_KG,
        linearity=both_at_the_centre(10.0, gain),
    )  # fmt: skip
    [check] = [c for c in result.verification.checks if c.name == "linearity"]
    assert check.passed is passed
    assert check.measured == pytest.approx(100 * (gain - 1), abs=0.05)
    assert result.verification.passed is passed
    assert result.to_parameters()["masses_kg"] == [MASS_KG, 10.0]


def test_a_second_mass_off_the_centre_or_not_positive_is_refused() -> None:
    centre = Loading((0.0, 0.0), tuple(ZERO_COUNTS))
    with pytest.raises(ValueError, match=r"second mass 0 kg given; expected a positive mass"):
        Linearity(0, centre)
    with pytest.raises(ValueError, match=r"expected them at the centre"):
        Linearity(10.0, Loading((100.0, 0.0), tuple(ZERO_COUNTS)))
