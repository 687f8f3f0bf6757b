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


def test_the_facility_adjusts_a_threshold_within_its_printed_range(home: GenkiHome) -> None:
    low_sbp = ["--sbp", "85", "--dbp", "60", "--pulse", "70", "--spo2", "97", "--temp", "36.5"]
    before = json.loads(home.run("screen", "vitals", *low_sbp, "--json").output)
    assert before["outcome"] == "consult_staff"
    assert before["criteria"][0]["threshold"] == 90
    home.config_file.write_text(
        home.config_file.read_text() + '\n[screening.thresholds]\n"jarm_2018.sbp_low" = 80\n'
    )
    assert json.loads(home.run("screen", "vitals", *low_sbp, "--json").output)["outcome"] == "ok"
    shown = json.loads(home.run("config", "show", "--json").output)
    assert shown["values"]['screening.thresholds."jarm_2018.sbp_low"'] == {
        "value": 80.0,
        "source": str(home.config_file),
    }


def test_a_threshold_outside_its_range_or_not_adjustable_is_refused(home: GenkiHome) -> None:
    original = home.config_file.read_text()
    for line, message in [
        ('"jarm_2018.spo2_low" = 85', "expected a value from 88 to 90"),
        ('"jarm_2018.pulse_low" = 35', "cannot be adjusted; adjustable rules:"),
    ]:
        home.config_file.write_text(original + f"\n[screening.thresholds]\n{line}\n")
        result = home.run("screen", "vitals", *NORMAL)
        assert result.exit_code == 2
        assert "[screening.thresholds]" in result.output
        assert message in result.output
