"""The office's figures in words: pure functions from office data to catalogue text.

Messages are under ``office.view``. Shared by the viewer and the reports, so both say the same
thing the same way. Every word comes
from the message catalogues; this module only chooses messages and fills them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from genki.i18n import Language, catalogue, text
from office.data import FacilityOverview, KioskStatus
from office.evaluation import MIN_SERVICE_MONTHS, VALUE_CRITERION
from office.flags import NO_SESSION_DAYS, Flag, FlagCode, Latest, Measurement
from office.page import ResidentRow

NONE = "—"


def t(key: str, language: Language, **params: object) -> str:
    """Return the ``office.view`` message ``key`` in ``language``."""
    return text(f"office.view.{key}", language, **params)


def resident_label(row: ResidentRow, language: Language) -> str:
    """Return the resident's name, or 'unknown resident <short uuid>'."""
    return row.name if row.known else t("unknown_resident", language, uuid=row.short_uuid)


def care_level_short(row: ResidentRow, language: Language) -> str:
    """Return the care level in a few characters (要支援1 / Support 1), or a dash when unknown."""
    return t(f"care_level.{row.care_level}", language) if row.care_level else NONE


def rating_short(rating: str | None, language: Language) -> str:
    """Return a rating in a word or two for the list (office.view.rating), "" when there is none."""
    if rating is None:
        return ""
    key = f"office.view.rating.{rating}"
    return catalogue(language).get(key, rating)


def rating_full(rating: str | None, language: Language) -> str:
    """Return a rating as the batteries word it (battery.value, else office.view.rating)."""
    if rating is None:
        return ""
    key = f"battery.value.{rating}"
    return (
        catalogue(language)[key] if key in catalogue(language) else rating_short(rating, language)
    )


def value_text(item: Measurement) -> str:
    """Return a measurement's value (its unit is in the column's title), or "" without a value."""
    if item.value is None:
        return ""
    return f"{item.value:g}"


def value_with_unit(item: Measurement, language: Language) -> str:
    """Return a measurement's value with its unit, or "" without a value."""
    if item.value is None:
        return ""
    unit = text(f"battery.unit.{item.unit}", language) if item.unit else ""
    return f"{item.value:g} {unit}".strip()


def latest_line(latest: Latest, language: Language) -> str:
    """Return a test's latest result for the page: value, rating, date, the previous value."""
    current, previous = latest.current, latest.previous
    figures = " ".join(p for p in (value_with_unit(current, language),
                                   rating_full(current.rating, language)) if p)  # fmt: skip
    line = t("latest_line", language, test=test_name(current.name, language), figures=figures,
             date=f"{current.performed_at.astimezone():%Y-%m-%d}")  # fmt: skip
    if previous is None:
        return line
    before = " ".join(p for p in (value_with_unit(previous, language),
                                  rating_full(previous.rating, language)) if p)  # fmt: skip
    return line + t("previous", language, figures=before)


def latest_cell(latest: Latest | None, language: Language) -> str:
    """Return a residents-list cell: value, short rating, ▼ when worse than the previous one."""
    if latest is None:
        return NONE
    parts = [value_text(latest.current), rating_short(latest.current.rating, language)]
    cell = " ".join(part for part in parts if part)
    return f"{cell} ▼" if latest.declined else cell


def flag_short(flag: Flag, language: Language) -> str:
    """Return a flag in a word or two, for the list."""
    if flag.code is FlagCode.DECLINE:
        return t("flag_short.decline", language, test=test_short(flag.subject, language))
    if flag.code is FlagCode.NO_SESSION and flag.days is not None:
        return t("flag_short.no_session_days", language, days=flag.days)
    return t(f"flag_short.{flag.code.value}", language)


def flags_short(flags: Sequence[Flag], language: Language) -> str:
    """Every flag in a word or two, separated."""
    return t("separator", language).join(flag_short(flag, language) for flag in flags)


def flag_sentence(flag: Flag, language: Language) -> str:
    """Return a flag as a sentence (the page adds once that the measurement error is unknown)."""
    params: dict[str, object] = {"test": test_name(flag.subject, language),
                                 "before": flag.before, "now": flag.now, "days": flag.days,
                                 "limit": NO_SESSION_DAYS,
                                 "due": flag.due.isoformat() if flag.due else ""}  # fmt: skip
    if flag.code is FlagCode.DECLINE:
        return t("flag.decline", language, **params)
    if flag.code is FlagCode.NO_SESSION and flag.days is None:
        return t("flag.no_session_never", language)
    return t(f"flag.{flag.code.value}", language, **params)


def test_short(name: str, language: Language) -> str:
    """Return a battery or test's short name (SPPB, AWGS, grip …)."""
    key = f"office.view.test_short.{name}"
    return catalogue(language).get(key, name)


def test_name(name: str, language: Language) -> str:
    """Return a battery or test's full name (battery.name, or office.view.test for single tests)."""
    for key in (f"battery.name.{name}", f"office.view.test.{name}"):
        if key in catalogue(language):
            return catalogue(language)[key]
    return name


def series_label(key: str, language: Language) -> str:
    """Return a series name (``sppb.total``) in words, or the key itself when it has no label."""
    message = f"office.view.series.{key.replace('.', '_')}"
    return catalogue(language).get(message, key)


def moment_text(moment: datetime | None) -> str:
    """Return a stored UTC time as local date and clock time, or a dash."""
    return NONE if moment is None else f"{moment.astimezone():%Y-%m-%d %H:%M}"


def kiosk_link(status: KioskStatus, language: Language) -> str:
    """Online, offline or not heard of yet."""
    state = "unknown" if status.online is None else "online" if status.online else "offline"
    return t(f"link.{state}", language)


def backlog_text(status: KioskStatus, language: Language) -> str:
    """Return the kiosk's reported backlog with when the oldest was saved, or a dash if unknown."""
    if status.backlog is None:
        return NONE
    if status.oldest_unacked_at is None:
        return str(status.backlog)
    oldest = moment_text(status.oldest_unacked_at)
    return t("backlog", language, count=status.backlog, oldest=oldest)


def gaps_text(status: KioskStatus, language: Language) -> str:
    """Return the missing sequence numbers as runs (12–14, 20), or none."""
    if not status.gaps:
        return t("no_gaps", language)
    runs = [f"{a}" if a == b else f"{a}–{b}" for a, b in status.gaps]
    return t("gaps", language, count=status.missing, runs=", ".join(runs))


def overview_lines(overview: FacilityOverview, language: Language) -> tuple[str, ...]:
    """Return the period's totals: attendance and assessments, one sentence per line."""
    counts = sorted(overview.assessments.items())
    assessed = t("separator", language).join(
        f"{test_short(name, language)} {count}" for name, count in counts
    ) or NONE  # fmt: skip
    return (
        t("overview.period", language, start=overview.start.isoformat(),
          end=overview.end.isoformat()),
        t("overview.attending", language, residents=overview.attending,
          sessions=sum(m.sessions for m in overview.months)),
        t("overview.assessments", language, residents=overview.assessed, batteries=assessed),
    )  # fmt: skip


def outcome_lines(overview: FacilityOverview, language: Language) -> tuple[str, ...]:
    """Both outcome shares, each labelled with what it is."""
    return (*evaluation_lines(overview, language), *sppb_lines(overview, language))


def evaluation_lines(overview: FacilityOverview, language: Language) -> tuple[str, ...]:
    """Return the 事業所評価加算-style value where the data establish it, else what is missing."""
    report = overview.evaluation
    lines = [t("evaluation.title", language, status=text(f"battery.status.{report.status}",
                                                           language))]  # fmt: skip
    lines.append(t("evaluation.rule", language, months=MIN_SERVICE_MONTHS,
                   criterion=f"{VALUE_CRITERION:g}"))  # fmt: skip
    counts = report.counts
    lines.append(t("evaluation.counted", language, d=counts.d, m=counts.m, i=counts.i,
                   worsened=report.worsened, certifications=report.certifications))  # fmt: skip
    if report.value is None:
        lines.append(t("evaluation.no_value", language, months=MIN_SERVICE_MONTHS))
    else:
        lines.append(t("evaluation.value", language, value=f"{report.value:.3f}"))
    if report.undated:
        lines.append(t("evaluation.undated", language, count=report.undated))
    lines.append(t("evaluation.renewals", language))
    return tuple(lines)


def sppb_lines(overview: FacilityOverview, language: Language) -> tuple[str, ...]:
    """Return the SPPB counterpart genki computes itself, labelled as such."""
    share = overview.sppb
    if share.share is None:
        body = t("sppb_share.none", language, single=share.single)
    else:
        body = t("sppb_share.value", language, share=f"{100 * share.share:.0f}",
                 better=share.maintained_or_improved, compared=share.compared,
                 single=share.single)  # fmt: skip
    return (t("sppb_share.title", language), body)
