"""The Numbers page: the figures of `civicbot stats --json`, as charts with data tables.

Everything is computed by `StaffService.stats(days)` — the very function behind `/stats` and
`civicbot stats --json` — and only arranged here: the charts draw those figures and their tables
list them, so the page and the CLI can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.web.charts import Chart, Series
from handlers.staff.stats import Stats

PERIODS = (7, 30, 90)
Translate = Callable[..., str]


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class NumbersView:
    days: int
    stats: Stats
    """`civicbot stats --json --days N`, unchanged."""
    figures: list[Figure]
    charts: list[Chart]


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def _label(t: Translate, has: Callable[[str], bool], code: str) -> str:
    """A status or outcome code in the reader's language (`stats_label.<code>`), else the code."""
    key = f"stats_label.{code}"
    return t(key) if has(key) else code


def numbers(stats: Stats, t: Translate, has: Callable[[str], bool],
            room_names: dict[str, str] | None = None) -> NumbersView:
    """The page's figures and charts from one `stats` dict (`StaffService.stats(days)`);
    `room_names`: rooms' names in the reader's language, by their id-name."""
    q = stats["questions"]
    figures = [
        Figure(t("web_kb.numbers.questions"), str(q["total"])),
        Figure(t("web_kb.numbers.answered"), f"{q['answered']} ({_pct(q['answered_rate'])})"),
        Figure(t("web_kb.numbers.declined"), f"{q['abstained']} ({_pct(q['abstained_rate'])})"),
        Figure(t("web_kb.numbers.open"), str(q["unanswered_open"])),
        Figure(t("web_kb.numbers.feedback"), t("web_kb.numbers.feedback_value", up=stats["feedback"]["up"],
                                                 down=stats["feedback"]["down"])),
    ]
    if (eligibility := stats.get("eligibility")) is not None:
        figures.append(Figure(t("web_kb.numbers.checks"), str(eligibility["total"])))
    if (bookings := stats.get("bookings")) is not None:
        figures.append(Figure(t("web_kb.numbers.bookings"), str(bookings["total"])))
    charts = [_per_day(stats, t), _answered(stats, t), _topics(stats, t), _eligibility(stats, t, has),
              *_rooms(stats, t, room_names or {})]
    return NumbersView(stats["days"], stats, figures, charts)


def _per_day(stats: Stats, t: Translate) -> Chart:
    langs = sorted(stats["questions"]["by_lang"]) or ["vi"]
    days = stats["per_day"]
    series = tuple(Series(lang, tuple(float(d["by_lang"].get(lang, 0)) for d in days)) for lang in langs)
    desc = t("web_kb.numbers.per_day_desc", start=stats["from"], end=stats["to"], total=stats["questions"]["total"])
    return Chart("per-day", t("web_kb.numbers.per_day"), desc,
                 tuple(d["date"] for d in days), series, kind="columns", empty_text=t("web_kb.numbers.none"),
                 columns=(t("web_kb.numbers.day"), *langs))


def _answered(stats: Stats, t: Translate) -> Chart:
    q = stats["questions"]
    return Chart("answered", t("web_kb.numbers.answered_title"),
                 t("web_kb.numbers.answered_desc", answered=q["answered"], declined=q["abstained"]),
                 (t("web_kb.numbers.answered"), t("web_kb.numbers.declined")),
                 (Series(t("web_kb.numbers.count"), (float(q["answered"]), float(q["abstained"]))),),
                 empty_text=t("web_kb.numbers.none"), columns=("", t("web_kb.numbers.count")))


def _topics(stats: Stats, t: Translate) -> Chart:
    topics = stats["top_topics"]
    return Chart("topics", t("web_kb.numbers.topics"), t("web_kb.numbers.topics_desc", n=len(topics)),
                 tuple(f"[{g['lang']}] {g['question']}" for g in topics),
                 (Series(t("web_kb.numbers.count"), tuple(float(g["count"]) for g in topics)),),
                 empty_text=t("web_kb.numbers.no_topics"),
                 columns=(t("web_kb.numbers.question"), t("web_kb.numbers.count")))


def _eligibility(stats: Stats, t: Translate, has: Callable[[str], bool]) -> Chart:
    eligibility = stats["eligibility"]
    outcomes = eligibility["by_outcome"] if eligibility else {}
    codes = sorted(outcomes, key=lambda c: (-outcomes[c], c))
    return Chart("eligibility", t("web_kb.numbers.eligibility"),
                 t("web_kb.numbers.eligibility_desc", total=sum(outcomes.values())),
                 tuple(_label(t, has, c) for c in codes),
                 (Series(t("web_kb.numbers.count"), tuple(float(outcomes[c]) for c in codes)),),
                 empty_text=t("web_kb.numbers.none"), columns=(t("web_kb.numbers.outcome"), t("web_kb.numbers.count")))


def _rooms(stats: Stats, t: Translate, room_names: dict[str, str]) -> list[Chart]:
    rooms = stats.get("booking_rooms") or []
    names = tuple(room_names.get(str(r["room"]), str(r["room"])) for r in rooms)
    per_room = Chart("rooms", t("web_kb.numbers.rooms"), t("web_kb.numbers.rooms_desc"), names,
                     (Series(t("web_kb.numbers.requests"), tuple(float(r["requests"]) for r in rooms)),
                      Series(t("web_kb.numbers.approved"), tuple(float(r["approved"]) for r in rooms))),
                     empty_text=t("web_kb.numbers.no_rooms"),
                     columns=(t("web_kb.numbers.room"), t("web_kb.numbers.requests"), t("web_kb.numbers.approved")))
    occupancy = Chart("occupancy", t("web_kb.numbers.occupancy"), t("web_kb.numbers.occupancy_desc"), names,
                      (Series(t("web_kb.numbers.occupied"), tuple(r["occupancy"] for r in rooms)),),
                      percent=True, empty_text=t("web_kb.numbers.no_rooms"),
                      columns=(t("web_kb.numbers.room"), t("web_kb.numbers.occupied")))
    return [per_room, occupancy]
