"""No raw messenger id in Redis keys or in delivery-error log lines (issue 11 item 4), and `forget`
clears a person's state and rate-limit keys in Redis."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.hub import Hub
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.messages import Incoming, Reply

USERS = ("7302000001", "7302000002")
KEY = b"test-pseudonym-key-0123456789"


@pytest.mark.redis
def test_redis_keys_hold_no_raw_id_and_forget_clears_them(client: Any, prefix: str) -> None:
    from handlers.state_redis import RedisDeduper, RedisRateLimiter, RedisStateStore

    states = RedisStateStore(client, prefix=prefix)
    limiter = RedisRateLimiter(client, limit=100, prefix=prefix)
    dialog = Dialog(Catalog.load(), Services(), [], states, deduper=RedisDeduper(client, prefix=prefix),
                    limiter=limiter, salt=KEY)
    for n, uid in enumerate(USERS):
        dialog.handle(Incoming("telegram", uid, uid, text="/lang", update_id=f"u{n}"))
        dialog.handle(Incoming("telegram", uid, uid, text="2", update_id=f"v{n}"))
    keys = [k.decode() for k in client.scan_iter(match=prefix + "*")]
    assert any(":state:" in k for k in keys) and any(":rate:" in k for k in keys)
    assert not [k for k in keys for uid in USERS if uid in k]
    values = [client.get(k) for k in keys if ":state:" in k]
    assert not [v for v in values for uid in USERS if v and uid.encode() in v]

    from sqlalchemy import create_engine

    from bot.db import create_schema
    from handlers.privacy import Privacy
    from handlers.pseudonym import Pseudonyms

    engine = create_engine("sqlite://")
    create_schema(engine)
    Privacy(engine, Pseudonyms(KEY), states=states, limiter=limiter).forget(f"telegram:{USERS[0]}")
    ps = Pseudonyms(KEY)
    left = [k.decode() for k in client.scan_iter(match=prefix + "*")]
    assert not [k for k in left if ps.state_prefix("telegram", USERS[0]) in k or k.endswith(
        ps.rate_key("telegram", USERS[0]))]
    assert [k for k in left if ps.state_prefix("telegram", USERS[1]) in k]


class BlockedChannel:
    """A channel whose platform refuses every send with an error quoting the chat (as some APIs do)."""

    name = "telegram"

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        raise RuntimeError(f"Forbidden: bot was blocked by the user (chat_id={chat_id})")

    async def download(self, file_ref: str) -> bytes:
        raise LookupError(file_ref)


def test_delivery_errors_are_logged_by_pseudonym(caplog: pytest.LogCaptureFixture) -> None:
    dialog = Dialog(Catalog.load(), Services(), [], states=_NoState(), salt=KEY)
    hub = Hub(dialog)
    hub.register(BlockedChannel())
    caplog.set_level(logging.DEBUG)

    async def go() -> None:
        await hub.deliver("telegram", USERS[0], [Reply("xin chào")])
        with pytest.raises(RuntimeError):
            await hub.notify("telegram", USERS[1], [Reply("nhắc lịch")])

    asyncio.run(go())
    hub.close()
    assert hub.metrics["send_errors_total"] == 2
    assert "sending to telegram:c" in caplog.text and "Forbidden" in caplog.text
    assert not [uid for uid in USERS if uid in caplog.text]


class _NoState:
    def get(self, key: str) -> None:
        return None

    def set(self, key: str, value: dict[str, Any]) -> None: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> int:
        return 0

    def delete_legacy(self) -> int:
        return 0


@pytest.mark.redis
def test_purge_deletes_redis_state_keyed_by_raw_ids(client: Any, prefix: str) -> None:
    from sqlalchemy import create_engine

    from bot.db import create_schema
    from handlers.privacy import Privacy
    from handlers.pseudonym import Pseudonyms
    from handlers.state_redis import RedisStateStore

    states = RedisStateStore(client, prefix=prefix)
    ps = Pseudonyms(KEY)
    states.set(f"telegram:{USERS[0]}:{USERS[0]}", {"lang": "ru"})  # written by an older version
    states.set(ps.state_key("telegram", USERS[1], USERS[1]), {"lang": "vi"})
    engine = create_engine("sqlite://")
    create_schema(engine)
    report = Privacy(engine, ps, states=states).purge()
    assert report.counts.get("redis_state_raw_keys") == 1
    assert states.get(f"telegram:{USERS[0]}:{USERS[0]}") is None
    assert states.get(ps.state_key("telegram", USERS[1], USERS[1])) == {"lang": "vi"}
