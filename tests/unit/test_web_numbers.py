"""The Numbers page's figures are `civicbot stats --json`'s: the same function computes them, and
the charts' tables list exactly those figures (real SQLite, the real CLI)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bookings.models import Booking
from bot.cli import app as cli
from bot.web.charts import table
from bot.web.numbers_data import numbers
from handlers.i18n import Catalog
from knowledge.eligibility.models import EligibilityResult
from knowledge.models import utcnow
from tests.unit.web_kb_support import make_app


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, monkeypatch)
    logs = app.logs
    for i, (question, lang, abstained) in enumerate([
            ("Chuẩn nghèo là gì?", "vi", False), ("chuẩn nghèo là gì", "vi", False),
            ("Что такое АСП?", "ru", False), ("Bể bơi mở cửa mấy giờ?", "vi", True)]):
        logs.log_query(channel="telegram", user_hash=f"h{i}", lang=lang, question=question, top_doc_ids=[],
                       confidence=0.2 if abstained else 0.9, abstained=abstained, latency_ms=5.0)
    with Session(app.engine) as s:
        for outcome in ("eligible", "eligible", "not_eligible"):
            s.add(EligibilityResult(channel="telegram", user_hash="h", program="kz-asp", version="v", outcome=outcome,
                                    lang="ru", check_date=utcnow().date()))
        s.commit()
    room = app.bookings.add_room("hall", 20, hours="00:00-24:00", days="mon-sun")
    start = utcnow() - timedelta(hours=30)
    with Session(app.engine) as s:
        s.add(Booking(room_id=room.id, start_utc=start, end_utc=start + timedelta(hours=2), status="approved",
                      org="NGO", contact_name="A", phone="+7 701 000 00 00", attendees=3, purpose="x"))
        s.commit()
    return app


def cli_stats(app, days: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = CliRunner().invoke(cli, ["--data-dir", str(app.settings.data_dir), "stats", "--json", "--days", str(days)],
                                env={"CIVICBOT_EMBEDDER": "hash", "HOUSE_TIMEZONE": app.settings.house_timezone,
                                     "CIVICBOT_TIMEZONE": app.settings.timezone})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_page_shows_the_figures_of_stats_json(app) -> None:  # type: ignore[no-untyped-def]
    catalog = Catalog.load()

    def t(key: str, /, **params: object) -> str:
        return catalog.t("en", key, **params)

    view = numbers(app.staff.stats(7), t, lambda key: catalog.has(key, "en"))
    assert view.stats == cli_stats(app, 7)  # the same figures, field for field
    charts = {c.id: table(c)[1] for c in view.charts}
    assert {row[0]: sum(int(x) for x in row[1:]) for row in charts["per-day"]} == {
        d["date"]: d["total"] for d in view.stats["per_day"]}
    assert charts["answered"] == [["Answered", "3"], ["Declined", "1"]]
    assert charts["topics"] == [["[vi] Chuẩn nghèo là gì?", "2"]]
    assert dict((r[0], r[1]) for r in charts["eligibility"]) == {"eligible": "2", "not eligible": "1"}
    hall = next(r for r in view.stats["booking_rooms"] if r["room"] == "hall")
    assert [r for r in charts["rooms"] if r[0] == "hall"] == [["hall", str(hall["requests"]), "1"]]
    assert hall["booked_hours"] == 2.0 and hall["open_hours"] == 7 * 24.0
    assert [r for r in charts["occupancy"] if r[0] == "hall"] == [["hall", f"{2 / 168 * 100:.0f} %"]]
    figures = {f.label: f.value for f in view.figures}
    assert figures["Questions"] == "4" and figures["Answered"] == "3 (75 %)" and figures["Eligibility checks"] == "3"
    assert numbers(app.staff.stats(30), t, lambda key: False).stats == cli_stats(app, 30)
