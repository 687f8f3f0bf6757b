"""``genki screen vitals``: screen one set of vital signs before or during exercise."""

from __future__ import annotations

import json

import click

from genki.cli.context import BadInputError, CliContext
from genki.i18n import text
from programs.screening import RuleSet, Vitals, default_rules, screen

pass_cli = click.make_pass_decorator(CliContext)


@click.group(name="screen")
def screen_group() -> None:
    """Safety screens (vital signs)."""


@screen_group.command()
@click.option("--sbp", type=float, help="Systolic blood pressure (mmHg).")
@click.option("--dbp", type=float, help="Diastolic blood pressure (mmHg).")
@click.option("--pulse", type=float, help="Pulse (/min).")
@click.option("--spo2", type=float, help="SpO2 (%).")
@click.option("--temp", type=float, help="Body temperature (°C).")
@click.option("--baseline-sbp", type=float, help="Pre-exercise systolic (screens during exercise).")
@click.option("--baseline-dbp", type=float, help="Pre-exercise diastolic.")
@click.option("--baseline-pulse", type=float, help="Pre-exercise pulse.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_cli
def vitals(  # noqa: PLR0913 - one parameter per reading
    cli: CliContext,
    /,
    *,
    sbp: float | None,
    dbp: float | None,
    pulse: float | None,
    spo2: float | None,
    temp: float | None,
    baseline_sbp: float | None,
    baseline_dbp: float | None,
    baseline_pulse: float | None,
    as_json: bool,
) -> None:
    """Say whether exercise may start (or go on), and which rules decided it."""
    baselines = (baseline_sbp, baseline_dbp, baseline_pulse)
    if any(v is not None for v in baselines) and any(v is None for v in baselines):
        raise BadInputError(
            "give all three of --baseline-sbp, --baseline-dbp and --baseline-pulse (the values "
            "taken before exercise today), or none of them for the pre-exercise screen"
        )
    baseline = None if baseline_sbp is None else Vitals(baseline_sbp, baseline_dbp, baseline_pulse)
    result = screen(Vitals(sbp, dbp, pulse, spo2, temp), baseline=baseline, rules=_rules(cli))
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    click.echo(text(f"screening.{result.outcome.code}", cli.language))
    for criterion in result.criteria:
        detail = criterion.reason or f"{criterion.value:g} vs {criterion.threshold:g}"
        click.echo(f"  {criterion.rule} ({criterion.parameter}: {detail})")


def _rules(cli: CliContext) -> RuleSet:
    """Return the default rules with the facility thresholds of ``[screening.thresholds]``."""
    loaded = cli.loaded
    try:
        return default_rules().adjusted(loaded.config.screening.thresholds)
    except ValueError as exc:
        raise BadInputError(f"[screening.thresholds] in {loaded.path}: {exc}") from exc
