"""``genki screen vitals`` prints the outcome and the rules that fired."""

from __future__ import annotations

import json

from genki_home import GenkiHome

NORMAL = ["--sbp", "120", "--dbp", "75", "--pulse", "70", "--spo2", "97", "--temp", "36.5"]


def test_pre_exercise_screen_as_json(home: GenkiHome) -> None:
    result = home.run("screen", "vitals", "--sbp", "205", *NORMAL[2:], "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["outcome"] == "do_not_start"
    assert {"rule": "anderson_doi.sbp_rest_high", "table": "anderson_doi"}.items() <= document[
        "criteria"
    ][0].items()


def test_during_exercise_screen_uses_the_baseline(home: GenkiHome) -> None:
    baseline = ["--baseline-sbp", "120", "--baseline-dbp", "75", "--baseline-pulse", "70"]
    result = home.run("screen", "vitals", "--sbp", "165", *NORMAL[2:], *baseline, "--json")
    document = json.loads(result.output)
    assert document["phase"] == "during"
    assert document["outcome"] == "stop"


def test_missing_values_ask_for_staff_in_plain_words(home: GenkiHome) -> None:
    result = home.run("screen", "vitals", "--sbp", "120", "--dbp", "75", "--pulse", "70")
    assert result.exit_code == 0
    assert result.output.startswith("Consult staff")
    assert "spo2_pct: not measured" in result.output


def test_a_partial_baseline_is_refused(home: GenkiHome) -> None:
    result = home.run("screen", "vitals", *NORMAL, "--baseline-sbp", "120")
    assert result.exit_code == 2
    assert "give all three" in result.output
