"""Issue 12: the staff chat hears once a day that the poverty-line table is about to run out."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bot.rule_alerts import CoverageAlert
from handlers.i18n import Catalog
from handlers.messages import Reply, Target
from handlers.state import MemoryDeduper
from knowledge.eligibility.registry import RuleRegistry


class FakeHub:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, list[Reply]]] = []

    async def notify(self, channel: str, chat_id: str, replies: Any) -> None:
        self.sent.append((channel, chat_id, list(replies)))


def app(tmp_path: Path, target: Target | None, deduper: MemoryDeduper) -> Any:
    rules = RuleRegistry.load_default(extra_dir=tmp_path / "rules")
    return SimpleNamespace(staff_target=target, rules=rules, deduper=deduper,
                           dialog=SimpleNamespace(catalog=Catalog.load()),
                           settings=SimpleNamespace(default_lang="ru"))


async def check_once(a: Any, hub: FakeHub, today: date) -> bool:
    """The check as `civicbot run` wires it (CoverageAlert.of), from the fake app's parts."""
    alert = CoverageAlert(a.rules, a.deduper, hub.notify, a.dialog.catalog, a.staff_target, a.settings.default_lang)
    return await alert.check_once(today)


def test_staff_chat_warned_once_a_day(tmp_path: Path) -> None:
    deduper = MemoryDeduper()
    a, hub = app(tmp_path, Target("telegram", "-100"), deduper), FakeHub()
    assert asyncio.run(check_once(a, hub, date(2026, 12, 6))) is True
    (channel, chat, replies), = hub.sent
    assert (channel, chat) == ("telegram", "-100")
    assert "Pavlodar region: строки заканчиваются 2026-12-31 (осталось 25 дн." in replies[0].text
    assert "Aktobe region: строки закончились 2026-03-31" in replies[0].text
    assert asyncio.run(check_once(a, hub, date(2026, 12, 6))) is False  # another replica, same day
    assert asyncio.run(check_once(a, hub, date(2026, 12, 7))) is True
    assert len(hub.sent) == 2


def test_nothing_sent_without_a_staff_chat_or_when_covered(tmp_path: Path) -> None:
    hub = FakeHub()
    assert asyncio.run(check_once(app(tmp_path, None, MemoryDeduper()), hub, date(2026, 12, 6))) is False
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "lines.yaml").write_text(
        "kind: table\nid: kz-poverty-lines\ntitle: t\nunit: KZT/person/month\nkeys: [region, quarter]\n"
        "rows:\n  - {region: pavlodar, quarter: 2027Q2, value: 37000}\n"
        "  - {region: aktobe, quarter: 2027Q2, value: 38000}\n", encoding="utf-8")
    assert asyncio.run(check_once(app(tmp_path, Target("telegram", "-1"), MemoryDeduper()), hub,
                                  date(2026, 12, 6))) is False
    assert hub.sent == []
