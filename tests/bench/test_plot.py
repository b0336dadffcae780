"""bench_plot draws p95 against collection size from archive_bench results."""

import io
import json

import pytest
from django.core.management import CommandError, call_command


def result(excerpts, p95):
    return {
        "corpus": {"excerpts": excerpts},
        "search_backend": {"bands": {"20pct": {"p95_ms": p95}}},
        "search_public": {"bands": {"20pct": {"p95_ms": None, "floor_p95_ms": p95 / 5}}},
        "pages": {"home": {"p95_ms": 40.0}, "excerpt": {"p95_ms": None}},
    }


def test_plot_has_a_line_per_measured_figure(tmp_path):
    paths = []
    for n, p95 in ((50_000, 120.0), (200_000, 480.0), (2_000_000, 5600.0)):
        path = tmp_path / f"{n}.json"
        path.write_text(json.dumps(result(n, p95)))
        paths.append(str(path))
    out = tmp_path / "plot.svg"
    call_command("bench_plot", *paths, out=str(out), stdout=io.StringIO())
    svg = out.read_text()
    assert svg.startswith("<svg")
    assert svg.count("<polyline") == 3  # backend 20pct, floor 20pct, home; nothing for nulls
    assert "Wagtail search API 20pct" in svg and "floor 20pct" in svg and "page home" in svg
    assert "page excerpt" not in svg
    assert "2,000,000" in svg


def test_plot_needs_two_sizes(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(result(50_000, 100.0)))
    with pytest.raises(CommandError, match="two collection sizes"):
        call_command("bench_plot", str(path), out=str(tmp_path / "x.svg"), stdout=io.StringIO())
