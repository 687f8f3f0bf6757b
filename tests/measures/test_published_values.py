"""The BDS data set (Santos & Duarte 2016): every published COParea, COPvelo, COPmfreq reproduced.

The published values use the data set's own definitions (../shared/data/README.md): COParea is our
primary 95 % prediction ellipse; COPvelo divides the resultant path by N/f_s (not our (N−1)/f_s);
COPmfreq weights the two axes' mean frequencies by the plain sums of their PSD ordinates. The test
applies those definitions to genki's path length, ellipse and Welch PSD, so a match to 1e-6
relative shows the building blocks are the same computations.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from measures.spectrum import welch_psd
from measures.stabilometry import score_sway

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "bds"
RATE_HZ = 100.0


def _published() -> list[dict[str, str]]:
    with (DATA / "BDSinfoCOP_subset.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


PUBLISHED = _published() if DATA.exists() else []


@pytest.mark.skipif(not PUBLISHED, reason="../shared/data is not beside this checkout")
@pytest.mark.parametrize("row", PUBLISHED, ids=[row["Trial"] for row in PUBLISHED])
def test_published_values_are_reproduced(row: dict[str, str]) -> None:
    table = np.loadtxt(DATA / f"{row['Trial']}.txt", delimiter="\t", skiprows=1)
    ap_cm, ml_cm = table[:, 7], table[:, 8]
    n = ap_cm.size
    result = score_sway(ml_cm * 10, ap_cm * 10, RATE_HZ)
    area_cm2 = result.ellipse95.area / 100
    velocity_cm_s = result.path_length_mm / 10 / (n / RATE_HZ)
    _, power_ap = welch_psd(ap_cm, RATE_HZ)
    _, power_ml = welch_psd(ml_cm, RATE_HZ)
    mean_ap, mean_ml = result.spectrum_ap.mean_frequency_hz, result.spectrum_ml.mean_frequency_hz
    mfreq = (mean_ap * power_ap.sum() + mean_ml * power_ml.sum()) / (
        power_ap.sum() + power_ml.sum()
    )
    assert area_cm2 == pytest.approx(float(row["COParea"]), rel=1e-6)
    assert velocity_cm_s == pytest.approx(float(row["COPvelo"]), rel=1e-6)
    assert mfreq == pytest.approx(float(row["COPmfreq"]), rel=1e-6)
