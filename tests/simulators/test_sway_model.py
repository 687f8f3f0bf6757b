"""The human model: seeded, inside its cited ranges, and scenarios whose ground truth is right.

Measures follow REFERENCE.md §8.3 and §8.5 (RMS with 1/N, mean velocity over (N − 1)/f_s, Welch
PSD with nperseg N//2, F50) and the BDS definitions of ../shared/data/README.md (combined mean
frequency, 95 % ellipse area), written here with numpy/scipy so the test stands on its own.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, signal, stats

from simulators.human.scenarios import (
    SCENARIO_FUNCTIONS,
    SCENARIOS,
    Person,
    corner_loads,
    generate,
    one_leg,
    sit_to_stand,
    step_on_off,
    tandem,
)
from simulators.human.sway import Profile, sway, sway_profile

RATE_HZ = 100.0  # the BDS trials' rate
SEEDS = range(5)
KIM_EO, KIM_EC = (928.5 / 60, 252.1 / 60), (1423.4 / 60, 493.4 / 60)  # mm/s: mean, SD
BDS_S14 = {  # subject 14, 75 y, firm: published COPvelo (mm/s); RMS computed from the files (mm)
    False: {"velocity": 27.078, "rms_ml": 5.52, "rms_ap": 15.42},
    True: {"velocity": 44.683, "rms_ml": 5.58, "rms_ap": 11.36},
}
BDS_UNDER_60_RMS = {"ml": (1.16, 4.20), "ap": (2.33, 5.51)}  # mm, firm trials of subjects 6, 9, 15
BDS_F50_HZ = (0.067, 0.667)  # firm trials, either axis
BDS_MFREQ_HZ, BDS_AREA_CM2 = (0.0759, 0.4295), (0.8198, 28.382)  # published, firm trials
BDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bds"


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean((x - x.mean()) ** 2)))


def mean_velocity(ml: np.ndarray, ap: np.ndarray, rate_hz: float) -> float:
    return float(np.hypot(np.diff(ml), np.diff(ap)).sum() / ((ml.size - 1) / rate_hz))


def welch(x: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    n = x.size
    return signal.welch(x, rate_hz, "hann", n // 2, n // 4, n // 2, detrend="constant")


def f50(x: np.ndarray, rate_hz: float) -> float:
    f, p = welch(x, rate_hz)
    area = integrate.cumulative_trapezoid(p, f, initial=0)
    return float(f[np.argmax(area >= 0.5 * area[-1])])


def power_below(x: np.ndarray, rate_hz: float, limit_hz: float) -> float:
    f, p = welch(x, rate_hz)
    return float(p[f < limit_hz].sum() / p.sum())


def mean_frequency(ml: np.ndarray, ap: np.ndarray, rate_hz: float) -> float:
    """BDS COPmfreq: per-axis mean frequencies weighted by the plain sums of PSD ordinates."""
    parts = []
    for x in (ap, ml):
        f, p = welch(x, rate_hz)
        parts.append((np.trapezoid(f * p, f) / np.trapezoid(p, f), p.sum()))
    return float(sum(m * w for m, w in parts) / sum(w for _, w in parts))


def ellipse_area_cm2(ml: np.ndarray, ap: np.ndarray) -> float:
    n = ml.size
    k = stats.f.ppf(0.95, 2, n - 2) * 2 * (n - 1) * (n + 1) / (n * (n - 2))
    return float(np.pi * k * np.sqrt(np.linalg.det(np.cov(ml, ap))) / 100)


def quiet(profile: Profile, eyes_closed: bool, seed: int, rate_hz: float = RATE_HZ) -> tuple:
    rng = np.random.default_rng(seed)
    return sway(rng, round(60 * rate_hz), rate_hz, sway_profile(profile, eyes_closed=eyes_closed))


# --- quiet-stance sway -------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_seed_reproduces_a_scenario_exactly_and_another_seed_differs(name: str) -> None:
    first, again = (generate(name, rate_hz=200, duration_s=30, seed=4) for _ in range(2))
    other = generate(name, rate_hz=200, duration_s=30, seed=5)
    np.testing.assert_array_equal(first.loads_n, again.loads_n)
    assert first.ground_truth.events_s == again.ground_truth.events_s
    assert not np.array_equal(first.cop_ml_mm, other.cop_ml_mm)


@pytest.mark.parametrize("eyes_closed", [False, True], ids=["eyes-open", "eyes-closed"])
def test_robust_sway_lies_within_the_cited_healthy_ranges(eyes_closed: bool) -> None:
    mean, sd = KIM_EC if eyes_closed else KIM_EO
    for seed in SEEDS:
        ml, ap = quiet("robust", eyes_closed, seed)
        assert mean - sd <= mean_velocity(ml, ap, RATE_HZ) <= mean + sd, seed
        assert BDS_UNDER_60_RMS["ml"][0] <= rms(ml) <= BDS_UNDER_60_RMS["ml"][1]
        assert BDS_UNDER_60_RMS["ap"][0] <= rms(ap) <= BDS_UNDER_60_RMS["ap"][1]


@pytest.mark.parametrize("eyes_closed", [False, True], ids=["eyes-open", "eyes-closed"])
def test_frail_sway_lies_within_a_quarter_of_the_bds_older_adult(eyes_closed: bool) -> None:
    target = BDS_S14[eyes_closed]
    for seed in SEEDS:
        ml, ap = quiet("frail", eyes_closed, seed)
        simulated = {
            "velocity": mean_velocity(ml, ap, RATE_HZ),
            "rms_ml": rms(ml),
            "rms_ap": rms(ap),
        }
        for key, value in simulated.items():
            assert value == pytest.approx(target[key], rel=0.25), (seed, key)


@pytest.mark.parametrize("profile", ["robust", "frail"])
@pytest.mark.parametrize("eyes_closed", [False, True], ids=["eyes-open", "eyes-closed"])
def test_sway_spectrum_and_area_lie_within_the_bds_firm_surface_trials(
    profile: Profile, eyes_closed: bool
) -> None:
    for seed in SEEDS:
        ml, ap = quiet(profile, eyes_closed, seed)
        assert BDS_F50_HZ[0] <= f50(ml, RATE_HZ) <= BDS_F50_HZ[1]
        assert BDS_F50_HZ[0] <= f50(ap, RATE_HZ) <= BDS_F50_HZ[1]
        assert BDS_MFREQ_HZ[0] <= mean_frequency(ml, ap, RATE_HZ) <= BDS_MFREQ_HZ[1]
        assert BDS_AREA_CM2[0] <= ellipse_area_cm2(ml, ap) <= BDS_AREA_CM2[1]
        assert min(power_below(ml, RATE_HZ, 1.0), power_below(ap, RATE_HZ, 1.0)) > 0.8


def test_eyes_closed_and_frailty_sway_more_and_faster() -> None:
    def averaged(profile: Profile, eyes_closed: bool) -> np.ndarray:
        rows = []
        for seed in SEEDS:
            ml, ap = quiet(profile, eyes_closed, seed)
            rows.append(
                [rms(ml), rms(ap), mean_velocity(ml, ap, RATE_HZ), mean_frequency(ml, ap, RATE_HZ)]
            )
        return np.mean(rows, axis=0)

    table = {(p, ec): averaged(p, ec) for p in ("robust", "frail") for ec in (False, True)}
    for profile in ("robust", "frail"):
        assert np.all(table[(profile, True)] > table[(profile, False)])
    for eyes_closed in (False, True):
        assert np.all(table[("frail", eyes_closed)][:3] > table[("robust", eyes_closed)][:3])


def test_mean_velocity_hardly_depends_on_the_sampling_rate() -> None:
    slow = mean_velocity(*quiet("robust", False, 1, rate_hz=100.0), 100.0)
    fast = mean_velocity(*quiet("robust", False, 1, rate_hz=1000.0), 1000.0)
    assert fast == pytest.approx(slow, rel=0.1)


@pytest.mark.skipif(not BDS.exists(), reason="../shared/data is not beside this checkout")
def test_the_bds_values_quoted_by_the_model_come_from_the_trial_files() -> None:
    with (BDS / "BDSinfoCOP_subset.tsv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["Surface"] == "Firm"]
    under_60, f50s, ratios = {"ml": [], "ap": []}, [], []
    for row in rows:
        table = np.loadtxt(BDS / f"{row['Trial']}.txt", skiprows=1)
        ap, ml = table[:, 7] * 10, table[:, 8] * 10
        f50s += [f50(ml, RATE_HZ), f50(ap, RATE_HZ)]
        ratios.append(np.abs(np.diff(ml)).sum() / np.abs(np.diff(ap)).sum())
        if row["Subject"] == "14":
            expected = BDS_S14[row["Vision"] == "Closed"]
            assert rms(ml) == pytest.approx(expected["rms_ml"], abs=0.005)
            assert rms(ap) == pytest.approx(expected["rms_ap"], abs=0.005)
            assert float(row["COPvelo"]) * 10 == pytest.approx(expected["velocity"], abs=5e-4)
        elif row["Subject"] in ("6", "9", "15"):
            under_60["ml"].append(rms(ml))
            under_60["ap"].append(rms(ap))
    for axis, (low, high) in BDS_UNDER_60_RMS.items():
        assert (min(under_60[axis]), max(under_60[axis])) == pytest.approx((low, high), abs=0.005)
    assert (min(f50s), max(f50s)) == pytest.approx(BDS_F50_HZ, abs=0.001)
    spread = (min(ratios), float(np.median(ratios)), max(ratios))
    assert spread == pytest.approx((0.43, 0.61, 1.12), abs=0.005)
    mfreq = [float(row["COPmfreq"]) for row in rows]
    area = [float(row["COParea"]) for row in rows]
    assert (min(mfreq), max(mfreq)) == pytest.approx(BDS_MFREQ_HZ, abs=1e-4)
    assert (min(area), max(area)) == pytest.approx(BDS_AREA_CM2, abs=1e-3)


# --- scenarios ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_corner_loads_carry_fz_and_reproduce_the_encoded_cop_through_the_plate_formula(
    name: str,
) -> None:
    s = generate(name, rate_hz=100, duration_s=40, seed=9, frail=True, weight_kg=80)
    fl, fr, bl, br = s.loads_n.T
    a, b = s.spacing_mm
    np.testing.assert_allclose(s.loads_n.sum(axis=1), s.fz_n, atol=1e-9)
    loaded = s.fz_n > 50.0
    cop_ml = (a / 2) * ((fr + br) - (fl + bl))[loaded] / s.fz_n[loaded]
    cop_ap = (b / 2) * ((fl + fr) - (bl + br))[loaded] / s.fz_n[loaded]
    np.testing.assert_allclose(cop_ml, s.cop_ml_mm[loaded], atol=1e-9)
    np.testing.assert_allclose(cop_ap, s.cop_ap_mm[loaded], atol=1e-9)
    np.testing.assert_allclose(fl + br, fr + bl, atol=1e-9)  # minimum norm: no twist
    assert s.loads_n.min() >= 0.0
    assert not s.loads_n.flags.writeable


def test_corner_loads_split_a_centred_load_equally() -> None:
    loads = corner_loads(np.array([400.0]), np.array([0.0]), np.array([0.0]), (500.0, 400.0))
    assert loads.tolist() == [[100.0, 100.0, 100.0, 100.0]]


@pytest.mark.parametrize("profile", ["robust", "frail"])
def test_one_leg_lift_off_and_touchdown_are_where_the_cop_is_half_way(profile: Profile) -> None:
    s = one_leg(1000, 40, 2, person=Person(profile=profile), lift_off_s=7.5, hold_s=20.0)
    truth, t = s.ground_truth, np.arange(s.fz_n.size) / 1000
    assert (truth.lift_off_s, truth.touchdown_s) == (7.5, 27.5)
    two_feet, on_leg = s.cop_ml_mm[t < 7], s.cop_ml_mm[(t > 8) & (t < 27)]
    assert abs(two_feet.mean()) < 10
    assert 40 < on_leg.mean() < 60
    assert rms(on_leg) > rms(two_feet)
    assert mean_velocity(on_leg, s.cop_ap_mm[(t > 8) & (t < 27)], 1000) > 2 * mean_velocity(
        two_feet, s.cop_ap_mm[t < 7], 1000
    )
    lift = round(7.5 * 1000)
    assert abs(s.cop_ml_mm[lift] - 25.0) < 25.0  # half of the 50 mm shift, give or take sway
    np.testing.assert_array_equal(s.fz_n, 60 * 9.80665)


def test_events_after_the_last_sample_are_none() -> None:
    s = one_leg(100, 20, 1, lift_off_s=5.0, hold_s=30.0)
    assert (s.ground_truth.lift_off_s, s.ground_truth.touchdown_s) == (5.0, None)
    assert s.ground_truth.events_s == {"lift_off_s": 5.0}


def test_tandem_steps_out_to_the_side_at_the_given_time() -> None:
    s = tandem(100, 20, 3, step_out_s=12.0)
    t = np.arange(s.fz_n.size) / 100
    assert s.ground_truth.step_out_s == 12.0
    assert s.cop_ml_mm[t > 13].mean() - s.cop_ml_mm[t < 11].mean() == pytest.approx(80, abs=15)


@pytest.mark.parametrize("profile", ["robust", "frail"])
def test_sit_to_stand_repetitions_rise_to_a_peak_and_settle_back_seated(profile: Profile) -> None:
    weight = 70 * 9.80665
    s = sit_to_stand(100, 40, 6, person=Person(70, profile), start_s=2.0, repetitions=5)
    reps, t = s.ground_truth.repetitions, np.arange(s.fz_n.size) / 100
    assert len(reps) == 5
    assert reps[0].start_s == 2.0
    assert s.fz_n[0] == pytest.approx(0.25 * weight)
    for rep, following in zip(reps, [*reps[1:], None], strict=True):
        assert rep.start_s < rep.rise_s < rep.standing_s < rep.sit_s < rep.end_s
        assert rep.start_s < rep.peak_s < rep.standing_s + 0.5
        assert s.fz_n[round(rep.peak_s * 100)] > 1.1 * weight
        assert s.fz_n[round(rep.peak_s * 100)] == s.fz_n[(t >= rep.start_s) & (t < rep.end_s)].max()
        assert s.fz_n[round(rep.end_s * 100)] == pytest.approx(0.25 * weight, rel=0.02)
        if following is not None:
            assert following.start_s > rep.end_s
    expected = 5 * (2.6 if profile == "robust" else 3.8)
    assert reps[-1].end_s - reps[0].start_s == pytest.approx(expected, rel=0.15)
    assert len(s.ground_truth.events_s) == 10
    cut = sit_to_stand(100, reps[2].end_s - 0.5, 6, person=Person(70, profile), repetitions=5)
    assert len(cut.ground_truth.repetitions) == 2  # only repetitions that end in the signal


def test_stepping_on_and_off_loads_and_unloads_the_plate_at_half_body_weight() -> None:
    weight = 60 * 9.80665
    s = step_on_off(1000, 20, 1, step_on_s=3.0, stand_s=10.0)
    fz = s.fz_n
    assert (s.ground_truth.step_on_s, s.ground_truth.step_off_s) == (3.0, 13.0)
    assert fz[:2000].max() == 0.0
    assert fz[14_000:].max() == 0.0
    assert fz[3000] == pytest.approx(weight / 2)
    assert fz[13_000] == pytest.approx(weight / 2)
    np.testing.assert_allclose(fz[4000:12_000], weight)
    assert s.cop_ml_mm[2600] > 40  # the right foot first


def test_sixty_seconds_at_1000_hz_are_generated_in_well_under_a_second() -> None:
    for name in SCENARIOS:
        started = time.perf_counter()
        generate(name, rate_hz=1000, duration_s=60, seed=1)
        assert time.perf_counter() - started < 0.5, name


def test_generate_maps_generic_timing_onto_each_scenario() -> None:
    assert set(SCENARIO_FUNCTIONS) == set(SCENARIOS)
    tandem_signal = generate("tandem", rate_hz=50, duration_s=15, seed=1, event_s=1, hold_s=6.5)
    assert tandem_signal.ground_truth.step_out_s == 7.5
    stands = generate("sit-to-stand", rate_hz=50, duration_s=30, seed=1, event_s=1, hold_s=3)
    assert len(stands.ground_truth.repetitions) == 3
    assert generate("quiet-ec", rate_hz=50, duration_s=5, seed=1).ground_truth.eyes_closed
    with pytest.raises(ValueError, match="expected one of quiet-eo"):
        generate("jump", rate_hz=50, duration_s=5, seed=1)
    with pytest.raises(ValueError, match="expected 10 to 300 kg"):
        Person(weight_kg=5)
    with pytest.raises(ValueError, match="at least 2"):
        generate("quiet-eo", rate_hz=1, duration_s=1, seed=1)
