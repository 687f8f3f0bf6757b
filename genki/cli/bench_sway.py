"""``genki bench sway``: time to score a 60 s, 1000 Hz trial and one 20 ms streaming update."""

from __future__ import annotations

import json
import statistics
import time

import click
import numpy as np

from measures.stabilometry import score_sway
from measures.stabilometry_stream import SwayScorer

RATE_HZ = 1000
TRIAL_S = 60
BLOCK = RATE_HZ // 50  # 20 ms


def _median_ms(action: object, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


@click.command()
@click.option("--repeats", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of the figures.")
def sway(repeats: int, *, as_json: bool) -> None:
    """Scoring budget: a 60 s 1000 Hz stabilometry trial and one 20 ms streaming update."""
    rng = np.random.default_rng(0)
    ml = np.cumsum(rng.normal(0, 0.02, TRIAL_S * RATE_HZ))
    ap = np.cumsum(rng.normal(0, 0.02, TRIAL_S * RATE_HZ))
    score_ms = _median_ms(lambda: score_sway(ml, ap, RATE_HZ), repeats)
    scorer = SwayScorer(RATE_HZ)
    scorer.update(ml[: (TRIAL_S - 1) * RATE_HZ], ap[: (TRIAL_S - 1) * RATE_HZ])
    blocks = iter(range((TRIAL_S - 1) * RATE_HZ, TRIAL_S * RATE_HZ, BLOCK))

    def update() -> None:
        start = next(blocks)
        scorer.update(ml[start : start + BLOCK], ap[start : start + BLOCK])

    update_ms = _median_ms(update, min(repeats * 10, RATE_HZ // BLOCK))
    click.echo(f"score a {TRIAL_S} s {RATE_HZ} Hz trial: {score_ms:.2f} ms (median of {repeats})")
    click.echo(f"one {1000 * BLOCK // RATE_HZ} ms streaming update: {update_ms:.4f} ms")
    if as_json:
        click.echo(
            json.dumps(
                {"score_60s_1khz_ms": round(score_ms, 3), "stream_update_ms": round(update_ms, 5)}
            )
        )
