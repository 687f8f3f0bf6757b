"""``genki simulate``: run a simulated device standalone and print the URL that opens it."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from simulators.forceplate.device import GkfpPlate, Hx711Plate, PlateConfig
from simulators.forceplate.faults import parse_faults
from simulators.forceplate.pty_runner import PtyRunner
from simulators.human.scenarios import SCENARIOS, generate

SIGNAL_LOOP_S = 120.0


@click.group()
def simulate() -> None:
    """Run simulated devices (for demos, tests and trying genki without hardware)."""


def _faults(_ctx: click.Context, _param: click.Parameter, value: str) -> object:
    try:
        return parse_faults(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@simulate.command()
@click.option("--protocol", type=click.Choice(["gkfp", "hx711"]), default="gkfp", show_default=True)
@click.option(
    "--rate",
    "rate_hz",
    type=click.IntRange(1, 1000),
    default=None,
    help="Hz (gkfp 1000, hx711 80).",
)
@click.option("--scenario", type=click.Choice(SCENARIOS), default="quiet-eo", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--faults", callback=_faults, default="", help="e.g. crc=3,drop=2,garbage=1,unplug=5:7"
)
@click.option(
    "--profile", type=click.Choice(["robust", "frail"]), default="robust", show_default=True
)
@click.option("--weight-kg", type=click.FloatRange(20, 200), default=60.0, show_default=True)
@click.option(
    "--duration",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds (default: until stopped).",
)
@click.option(
    "--startup-wait",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="HX711 boot delay (s).",
)
def forceplate(  # noqa: PLR0913 - one parameter per option
    *,
    protocol: str,
    rate_hz: int | None,
    scenario: str,
    seed: int,
    faults: object,
    profile: str,
    weight_kg: float,
    duration: float | None,
    startup_wait: float,
) -> None:
    """Simulate a force plate on a pseudo-terminal; the first line printed is its device URL."""
    rate = rate_hz or (1000 if protocol == "gkfp" else 80)
    signal_s = max(SIGNAL_LOOP_S, duration or 0.0)
    person = generate(
        scenario,
        rate_hz=rate,
        duration_s=signal_s,
        seed=seed,
        frail=profile == "frail",
        weight_kg=weight_kg,
    )
    config = PlateConfig(rate_hz=rate, faults=faults, seed=seed)  # type: ignore[arg-type]
    if protocol == "gkfp":
        plate: GkfpPlate | Hx711Plate = GkfpPlate(person, config)
        runner = PtyRunner(plate, rate_hz=rate, unplug=config.faults.unplug)
        url = f"serial://{runner.path}?protocol=gkfp"
    else:
        config.serial = "HX-SIM0001"
        plate = Hx711Plate(person, config)
        runner = PtyRunner(
            plate,
            rate_hz=rate,
            unplug=config.faults.unplug,
            startup_output=plate.banner(),
            startup_delay_s=startup_wait,
        )
        offsets = ",".join(f"{v:g}" for v in config.offsets)
        url = (
            f"serial://{runner.path}?protocol=hx711&slope={config.slopes[0]:.10g}&offset={offsets}"
            f"&spacing_mm={config.spacing_mm[0]:g}x{config.spacing_mm[1]:g}&startup_wait_s={startup_wait:g}"
        )
    stopped = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.start()
    click.echo(url)
    stopped.wait(timeout=duration)
    runner.stop()
    injected = plate.injected
    click.echo(
        f"injected: {injected.corrupted_frames} corrupted frames, "
        f"{injected.dropped_frames} dropped frames ({injected.dropped_samples} samples), "
        f"{injected.garbage_bursts} garbage bursts, "
        f"{injected.unplugs} unplugs",
        err=True,
    )
