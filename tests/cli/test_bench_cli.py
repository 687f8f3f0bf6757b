"""``genki bench`` entries run and print their figures (the figures are measured, not asserted)."""

from __future__ import annotations

import json

from genki_home import GenkiHome


def test_bench_acquisition_prints_its_figures_as_json(home: GenkiHome) -> None:
    result = home.run("bench", "acquisition", "--seconds", "2", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert {"cpu_percent_one_core", "samples_lost", "samples"} <= set(figures)
    assert figures["samples"] > 0


def test_bench_ble_prints_throughput_and_latency_as_json(home: GenkiHome) -> None:
    result = home.run("bench", "ble", "--seconds", "1.5", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert {"notifications_per_s", "latency_p50_ms", "latency_p99_ms"} <= set(figures)
    assert figures["notifications_per_s"] > 0
    assert figures["latency_notifications"] > 0


def test_bench_sync_delivers_every_result_through_a_mosquitto_it_starts(home: GenkiHome) -> None:
    result = home.run("bench", "sync", "--results", "300", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert (figures["results"], figures["delivered"]) == (300, 300)
    assert (figures["stored_duplicates"], figures["gaps"]) == (0, 0)
    assert figures["seconds"] > 0
    assert figures["results_per_s"] > 0


def test_bench_sync_names_a_bad_broker_url(home: GenkiHome) -> None:
    result = home.run("bench", "sync", "--results", "1", "--broker", "http://example")
    assert result.exit_code == 2
    assert "mqtt://" in result.output


def test_bench_ui_prints_latency_and_frame_rate_as_json(home: GenkiHome) -> None:
    result = home.run("bench", "ui", "--seconds", "2", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert {"p50_ms", "p99_ms", "fps", "frames", "samples", "missing_samples"} <= set(figures)
    assert figures["frames"] > 0
    assert figures["p50_ms"] <= figures["p99_ms"]
