"""Issue 11 item 3: only staff answer users, and only by replying to the bot's own forwarded message.

Real aiogram against the fake Bot API: a member of the staff group without the staff role replies
to the forwarded question; someone replies to a group message that merely quotes "#H1"; then a
staff member replies to the forwarded message. Only the last reaches the asker.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from handlers.i18n import Catalog
from tests.e2e.telegram_kit import STAFF_CHAT, STAFF_USER, make_dialog, running
from tests.fakes.bot_api import FakeBotAPI

CATALOG = Catalog.load()
ASKER = 1
INTRUDER = 555


async def test_only_staff_replies_to_the_forwarded_message_reach_the_asker(api: FakeBotAPI, tmp_path: Path) -> None:
    dialog = make_dialog(tmp_path)
    async with running(api, dialog):
        api.send_text(ASKER, "thời tiết hôm nay thế nào")
        unsure = (await api.wait_sent(ASKER))[0]
        datas = [b.get("callback_data", "") for b in unsure.buttons()]
        forward = next(d for d in datas if d.startswith("ask:fwd:"))
        api.press(ASKER, forward)
        staff_msg = (await api.wait_sent(STAFF_CHAT))[0]
        assert "#H1" in staff_msg.text
        forwarded_mid = max(mid for chat, mid in api.messages if chat == str(STAFF_CHAT))
        await api.wait_sent(ASKER, count=2)  # "forwarded" notice

        # 1. a group member without the staff role replies to the forwarded question
        api.send_text(STAFF_CHAT, "Chuyển 500.000đ vào tài khoản này nhé", user_id=INTRUDER, reply_to=forwarded_mid)
        refused = (await api.wait_sent(STAFF_CHAT, count=2))[1]
        assert refused.text == CATALOG.t("vi", "sec.reply_forbidden", id=1)
        # 2. replies to a group message that only quotes "#H1" (by a non-member and by staff)
        api.send_text(STAFF_CHAT, "Ai xử lý #H1 vậy?", user_id=INTRUDER)
        quoted_mid = max(mid for chat, mid in api.messages if chat == str(STAFF_CHAT))
        api.send_text(STAFF_CHAT, "Trả lời giả qua #H1", user_id=INTRUDER, reply_to=quoted_mid)
        api.send_text(STAFF_CHAT, "Trả lời nhầm chỗ", user_id=STAFF_USER, reply_to=quoted_mid)
        # 3. a staff member replies to the forwarded message: relayed
        api.send_text(STAFF_CHAT, "Trời nắng, 30 độ.", user_id=STAFF_USER, reply_to=forwarded_mid)
        await api.wait_sent(ASKER, count=3)
        relayed_notice = CATALOG.t("vi", "ask.relayed", id=1)
        await api.wait_for(lambda: any(c.text == relayed_notice for c in api.sent(STAFF_CHAT)))
    to_asker = [c.text for c in api.sent(ASKER)]
    assert len(to_asker) == 3 and "Trời nắng, 30 độ." in to_asker[2]
    assert not any("500.000" in t or "giả" in t or "nhầm" in t for t in to_asker)
    engine = dialog.services.logs.engine
    with engine.connect() as conn:
        rows = conn.execute(text("select actor, channel, action, target, outcome from staff_audit")).all()
        replies = conn.execute(text("select replies from handoff where id = 1")).scalar()
    refusals = [r for r in rows if r.action == "handoff_reply"]
    assert len(refusals) == 1 and refusals[0].outcome == "refused" and refusals[0].target == "H1"
    assert refusals[0].actor.startswith("u:") and str(INTRUDER) not in refusals[0].actor
    assert refusals[0].channel == "telegram" and replies == 1
    assert json.dumps(rows, default=str).count("refused") == 1
