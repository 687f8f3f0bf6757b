"""``genki simulate``: run a simulated device standalone; the first line on stdout is its URL.

``genki simulate timer`` puts a simulated Chronopic box behind a pseudo-terminal, with photocell
gates and a seeded walker; at exit one line on stderr gives the walker's true crossing times.

``genki simulate forceplate`` puts a simulated force plate (GKFP/1 or HX711, simulators/) behind
a pseudo-terminal, prints ``serial://<path>?protocol=gkfp`` (an HX711 URL also carries the
calibration, geometry and startup wait its adapter needs) and streams in real time until
``--duration`` runs out or SIGINT/SIGTERM arrives (exit 0). A GKFP/1 plate waits for STOP, INFO
and START like real firmware; an HX711 board resets when the port opens and streams on its own
after ``--startup-wait``. The person's signal is generated once (``--duration`` long, at most
LOOP_S) and looped. At exit one line on stderr says which faults were injected.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import replace
from types import FrameType

import click

from simulators.forceplate.device import GkfpPlate, Hx711Plate, PlateConfig, valid_rate
from simulators.forceplate.faults import EXAMPLE, FaultPlan, parse_faults
from simulators.human.scenarios import SCENARIOS, generate
from simulators.human.walk import walk_through_gates
from simulators.pty_runner import PtyRunner
from simulators.timer.chronopic import TimerFaults, beam_box

LOOP_S = 300.0
DEFAULT_RATE_HZ = {"gkfp": 1000, "hx711": 80}
HX711_MAX_RATE_HZ = 80
SERIALS = {"gkfp": "GKFP-SIM0001", "hx711": "HX-SIM0001"}


@click.group()
def simulate() -> None:
    """Run simulated devices (for demos, tests and trying genki without hardware)."""


def _faults(_ctx: click.Context, _param: click.Parameter, value: str) -> FaultPlan:
    try:
        return parse_faults(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _rate(protocol: str, rate_hz: int | None) -> int:
    rate = rate_hz or DEFAULT_RATE_HZ[protocol]
    if protocol == "gkfp" and not valid_rate(rate):
        raise click.BadParameter(
            f"{rate} Hz; a GKFP/1 plate needs 1 to 1000 Hz dividing 1000000 (e.g. 1000, 500, "
            "250, 200, 125, 100, 80, 50)",
            param_hint="--rate",
        )
    if protocol == "hx711" and rate > HX711_MAX_RATE_HZ:
        raise click.BadParameter(f"{rate} Hz; an HX711 board gives at most 80", param_hint="--rate")
    return rate


def _url(protocol: str, runner: PtyRunner, config: PlateConfig) -> str:
    if protocol == "gkfp":
        return f"serial://{runner.path}?protocol=gkfp"
    offsets = ",".join(f"{value:g}" for value in config.offsets)
    spacing = "x".join(f"{value:g}" for value in config.spacing_mm)
    return (
        f"serial://{runner.path}?protocol=hx711&slope={config.slopes[0]:.10g}&offset={offsets}"
        f"&spacing_mm={spacing}&startup_wait_s={config.startup_delay_s:g}"
    )


def _run_until_stopped(runner: PtyRunner, url: Callable[[], str], duration_s: float | None) -> None:
    """Start, print the URL, wait for the duration or a signal, stop."""
    stopped = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        runner.start()
        click.echo(url())  # click.echo flushes: whoever started us can read the URL at once
        stopped.wait(timeout=duration_s)
    finally:
        runner.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@simulate.command()
@click.option("--protocol", type=click.Choice(["gkfp", "hx711"]), default="gkfp", show_default=True)
@click.option("--rate", "rate_hz", type=int, help="Samples per second [gkfp 1000, hx711 80].")
@click.option("--scenario", type=click.Choice(SCENARIOS), default="quiet-eo", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--faults", callback=_faults, default="", help=f"Faults to inject, e.g. {EXAMPLE}.")
@click.option("--profile", type=click.Choice(["robust", "frail"]), default="robust")
@click.option("--weight-kg", type=click.FloatRange(20, 250), default=60.0, show_default=True)
@click.option("--duration", type=click.FloatRange(min=0.1), help="Seconds [until stopped].")
@click.option(
    "--startup-wait", type=click.FloatRange(min=0), default=2.0, show_default=True,
    help="HX711: seconds from the port opening to the banner and the first record.",
)  # fmt: skip
@click.option("--event-s", type=click.FloatRange(min=0), help="When lift-off, the first rise, "
              "stepping on or the tandem hold starts (s) [scenario default].")  # fmt: skip
@click.option("--hold-s", type=click.FloatRange(min=0), help="Seconds on one leg, in tandem "
              "before the step-out, or on the plate [scenario default].")  # fmt: skip
@click.option("--repetitions", type=click.IntRange(min=0), help="Sit-to-stand repetitions [5].")
def forceplate(  # noqa: PLR0913 - one parameter per option
    *,
    protocol: str,
    rate_hz: int | None,
    scenario: str,
    seed: int,
    faults: FaultPlan,
    profile: str,
    weight_kg: float,
    duration: float | None,
    startup_wait: float,
    event_s: float | None,
    hold_s: float | None,
    repetitions: int | None,
) -> None:
    """Simulate a force plate on a pseudo-terminal; the first line printed is its device URL."""
    rate = _rate(protocol, rate_hz)
    person = generate(
        scenario,
        rate_hz=rate,
        duration_s=min(duration or LOOP_S, LOOP_S),
        seed=seed,
        frail=profile == "frail",
        weight_kg=weight_kg,
        event_s=event_s,
        hold_s=hold_s,
        repetitions=repetitions,
    )
    config = PlateConfig(serial=SERIALS[protocol], rate_hz=rate, faults=faults, seed=seed)
    plate: GkfpPlate | Hx711Plate
    if protocol == "gkfp":
        plate = GkfpPlate(person, config)
    else:
        config = replace(config, startup_delay_s=startup_wait)
        plate = Hx711Plate(person, config)
    runner = PtyRunner(plate, unplug=faults.unplug, rate_hz=rate)
    _run_until_stopped(runner, lambda: _url(protocol, runner, config), duration)
    click.echo(plate.injected.summary(), err=True)


def _indices(_ctx: click.Context, _param: click.Parameter, value: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}; expected event numbers such as 2,5") from None


@simulate.command()
@click.option("--gates", default="0,4", show_default=True, help="Gate positions along the walk, m.")
@click.option("--speed", type=click.FloatRange(0.05, 3.0), default=0.9, show_default=True)
@click.option("--start-s", type=click.FloatRange(min=0), default=3.0, show_default=True)
@click.option("--blocked-state", type=click.IntRange(0, 1), default=1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--drop", callback=_indices, default="", help="Event frames to lose, e.g. 2,5.")
@click.option("--invalid", callback=_indices, default="", help="Event frames to corrupt.")
@click.option("--duration", type=click.FloatRange(min=0.1), help="Seconds [until stopped].")
def timer(  # noqa: PLR0913 - one parameter per option
    *,
    gates: str,
    speed: float,
    start_s: float,
    blocked_state: int,
    seed: int,
    drop: frozenset[int],
    invalid: frozenset[int],
    duration: float | None,
) -> None:
    """Simulate a Chronopic timer with photocell gates and a walker; prints its device URL first."""
    try:
        positions = tuple(float(part) for part in gates.split(","))
        walk = walk_through_gates(
            seed=seed, gate_positions_m=positions, speed_m_s=speed, start_s=start_s
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--gates/--speed") from exc
    faults = TimerFaults(drop=drop, invalid=invalid)
    box = beam_box(walk.changes, blocked_state=blocked_state, faults=faults, seed=seed)
    runner = PtyRunner(box)
    _run_until_stopped(runner, lambda: f"serial://{runner.path}?protocol=chronopic", duration)
    truth = walk.truth
    click.echo(
        f"walker: {truth.speed_m_s:.4f} m/s, crossings at "
        + ", ".join(f"{t:.6f}" for t in truth.crossing_times_s)
        + f" s; walking time {truth.walking_time_s:.6f} s",
        err=True,
    )
