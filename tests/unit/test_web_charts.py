"""Server-side SVG charts: well-formed, accessible (title, desc, per-bar titles), escaped, and the
data table holds exactly the figures drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.web.charts import Chart, Series, fmt, svg, table

NS = "{http://www.w3.org/2000/svg}"


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(svg(chart))


def test_columns_are_stacked_per_label_with_an_accessible_name() -> None:
    chart = Chart("per-day", "Questions per day", "Questions each day", ("2026-11-24", "2026-11-25"),
                  (Series("vi", (2, 0)), Series("ru", (1, 3))), kind="columns")
    root = parse(chart)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "per-day-title per-day-desc"
    assert root.find(f"{NS}title").text == "Questions per day"  # type: ignore[union-attr]
    assert root.find(f"{NS}desc").text == "Questions each day"  # type: ignore[union-attr]
    bars = [(r.find(f"{NS}title").text, float(r.get("height")))  # type: ignore[union-attr,arg-type]
            for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]  # not the legend's swatches
    assert [t for t, _ in bars] == ["2026-11-24: vi 2", "2026-11-24: ru 1", "2026-11-25: ru 3"]  # zeros: no bar
    heights = dict(bars)
    assert heights["2026-11-24: vi 2"] == pytest.approx(2 * heights["2026-11-24: ru 1"])
    ticks = [t.text for t in root.iter(f"{NS}text")]
    assert "11-25" in ticks and "5" in ticks  # the axis ends at a round number above the highest column (4)


def test_bars_write_their_values_and_percentages() -> None:
    chart = Chart("occ", "Occupancy", "Share of opening hours", ("hall", "attic"),
                  (Series("occupied", (0.25, None)),), percent=True)
    root = parse(chart)
    values = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "chart-value"]
    assert values == ["25 %", "—"]
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")]  # type: ignore[arg-type]
    assert widths[0] == pytest.approx(220 * 0.25) and widths[1] == 0
    assert table(chart) == (["", "occupied"], [["hall", "25 %"], ["attic", "—"]])


def test_text_is_escaped_and_long_labels_shortened() -> None:
    label = "<script>alert(1)</script> " + "x" * 40
    chart = Chart("t", "A & B", "<b>desc</b>", (label,), (Series("n", (3,)),))
    markup = svg(chart)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = ET.fromstring(markup)
    shown = next(t for t in root.iter(f"{NS}text") if t.get("class") == "chart-label")
    assert shown.find(f"{NS}title").text == label  # the whole label on hover  # type: ignore[union-attr]
    assert table(chart)[1] == [[label, "3"]]


def test_bad_shapes_and_empty_charts() -> None:
    with pytest.raises(ValueError, match="2 values for 1 labels"):
        svg(Chart("x", "t", "d", ("a",), (Series("s", (1, 2)),)))
    assert Chart("x", "t", "d", (), (Series("s", ()),)).is_empty
    assert not Chart("x", "t", "d", ("room",), (Series("s", (0,)),)).is_empty  # a zero is a figure
    assert (fmt(3.0), fmt(2.5), fmt(None), fmt(0.666, percent=True)) == ("3", "2.5", "—", "67 %")
