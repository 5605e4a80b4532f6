"""The Telegram transport through real aiogram and the fake Bot API: retries, splitting, files, webhook."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from aiogram.exceptions import TelegramUnauthorizedError
from aiohttp import web

from bot.channels.telegram_channel import SECRET_HEADER, DownloadFailed, FileTooLarge, TelegramChannel
from bot.hub import Hub
from handlers.messages import Choice, OutgoingDocument, Reply
from tests.e2e.telegram_kit import make_dialog, running
from tests.fakes.bot_api import FakeBotAPI


async def test_429_waits_retry_after_then_delivers(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path)) as channel:
        api.fail("sendMessage", "429", retry_after=1)
        api.send_text(1, "bảo hiểm?")
        await api.wait_sent(1, timeout=8)
    attempts = api.calls_of("sendMessage")
    assert attempts[0].params.get("_failed") and not attempts[1].params.get("_failed")
    assert attempts[1].at - attempts[0].at >= 0.95  # waited retry_after
    assert channel.metrics["retry_after_total"] == 1


async def test_5xx_and_dropped_connections_back_off_and_deliver(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path)) as channel:
        api.fail("sendMessage", "5xx", times=2, status=502)
        api.fail("sendMessage", "drop")
        api.send_text(1, "bảo hiểm?")
        sent = await api.wait_sent(1, timeout=8)
    assert "bảo hiểm y tế" in sent[0].text
    assert channel.metrics["network_retries_total"] == 3
    assert channel.metrics["delivery_failures_total"] == 0


async def test_bounded_attempts_then_counted_failure_and_next_update_works(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path), max_attempts=3) as channel:
        api.fail("sendMessage", "5xx", times=3, status=500)
        api.send_text(1, "/help")  # help + menu: the help text is lost after 3 attempts
        await api.wait_sent(1)
        api.send_text(1, "/menu")
        sent = await api.wait_sent(1, count=2)
    assert len([c for c in api.calls_of("sendMessage") if c.params.get("_failed")]) == 3
    assert channel.metrics["delivery_failures_total"] == 1
    assert channel.hub.metrics["send_errors_total"] == 1
    assert all("menu:ask" in [b.get("callback_data") for b in c.buttons()] for c in sent)


async def test_6000_character_answer_split_on_sentences_keyboard_last(api: FakeBotAPI, tmp_path: Path) -> None:
    sentences = [f"Câu số {i} nói về quyền lợi bảo hiểm y tế của hộ nghèo ở xã." for i in range(101)]
    long_text = " ".join(sentences)
    assert 6000 <= len(long_text) < 6100
    facts = {"dài": ("d9", "Tài liệu dài", long_text)}
    async with running(api, make_dialog(tmp_path, facts)):
        api.send_text(1, "câu trả lời dài")
        sent = await api.wait_sent(1, count=2)
        await asyncio.sleep(0.2)
    assert len(api.sent(1)) == 2
    first, last = sent
    assert len(first.text) <= 4096 and len(last.text) <= 4096
    assert first.text.endswith(".") and not first.params.get("reply_markup")
    assert any(b["text"] == "👍" for b in last.buttons())
    assert " ".join(s for s in (first.text + " " + last.text).split()).startswith(" ".join(long_text.split()))


async def test_document_url_buttons_and_html_fallback(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path)) as channel:
        await channel.hub.notify("telegram", "7", [
            Reply("Báo cáo <tháng>", document=OutgoingDocument("r.csv", b"a,b\n1,2\n", "text/csv"),
                  choices=[[Choice("Mở", "x:open", url="https://example.org/r")]]),
            Reply("<b>broken", html=True),
        ])
    doc, text = api.sent(7)
    assert doc.method == "sendDocument" and list(doc.files.values()) == [b"a,b\n1,2\n"]
    assert doc.params["caption"] == "Báo cáo &lt;tháng&gt;"
    assert doc.buttons() == [{"text": "Mở", "url": "https://example.org/r"}]
    rejected, plain = api.calls_of("sendMessage")
    assert rejected.params["_failed"] and rejected.text == "<b>broken"
    assert text is plain and plain.text == "broken" and "parse_mode" not in plain.params


async def test_download_via_hub_thread_and_20mb_limit(api: FakeBotAPI, tmp_path: Path) -> None:
    small = api.add_file(b"%PDF-1.4 hello", "documents/a.pdf")
    big = api.add_file(b"x", "documents/big.pdf", size=25 * 2**20)
    async with running(api, make_dialog(tmp_path)) as channel:
        api.send_text(1, "/menu")  # the hub learns its event loop from the first update
        await api.wait_sent(1)
        fetch = channel.hub.dialog.services.fetch_file
        data = await asyncio.get_running_loop().run_in_executor(None, fetch, "telegram", small)
        with pytest.raises(FileTooLarge) as err:
            await channel.download(big)
    assert data == b"%PDF-1.4 hello"
    assert err.value.code == "ingest.too_large" and err.value.params["limit_mb"] == 20
    assert [c.params["path"] for c in api.calls_of("downloadFile")] == ["documents/a.pdf"]


async def test_webhook_mode_checks_secret_and_handles_redelivery_once(api: FakeBotAPI, tmp_path: Path) -> None:
    url = "https://bot.example.org/tg/hook"
    async with running(api, make_dialog(tmp_path), webhook_url=url, webhook_secret="s3cret-Token") as channel:
        await api.wait_for(lambda: bool(api.webhook))
        assert api.webhook["url"] == url and api.webhook["secret_token"] == "s3cret-Token"
        runner = web.AppRunner(channel.webhook_app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        update = {"update_id": 77, **api.message_update(5, {"text": "bảo hiểm?"})}
        async with aiohttp.ClientSession() as http:
            hook = f"http://127.0.0.1:{port}/tg/hook"
            wrong = await http.post(hook, json=update, headers={SECRET_HEADER: "nope"})
            missing = await http.post(hook, json=update)
            assert (wrong.status, missing.status) == (401, 401)
            await asyncio.sleep(0.2)
            assert api.sent(5) == []
            for _ in range(2):  # Telegram re-delivers when unsure
                ok = await http.post(hook, json=update, headers={SECRET_HEADER: "s3cret-Token"})
                assert ok.status == 200
            bad = await http.post(hook, data=b"not json", headers={SECRET_HEADER: "s3cret-Token"})
            assert bad.status == 400
        await api.wait_sent(5)
        await asyncio.sleep(0.2)
        await runner.cleanup()
    assert len(api.sent(5)) == 1 and api.calls_of("getUpdates") == []


def test_webhook_without_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramChannel(object(), "1:x", webhook_url="https://bot.example.org/hook")


async def test_polling_survives_getupdates_errors(api: FakeBotAPI, tmp_path: Path) -> None:
    api.fail("getUpdates", "5xx", status=502)
    api.fail("getUpdates", "drop")
    async with running(api, make_dialog(tmp_path)):
        api.send_text(1, "bảo hiểm?")
        sent = await api.wait_sent(1, timeout=10)
    assert "bảo hiểm y tế" in sent[0].text and not api.failures["getUpdates"]


async def test_wrong_token_stops_with_a_clear_error(api: FakeBotAPI, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    channel = TelegramChannel(Hub(make_dialog(tmp_path)), "999:wrong", api_base=api.base_url)
    with pytest.raises(TelegramUnauthorizedError):
        await asyncio.wait_for(channel.run(asyncio.Event()), 10)
    assert "TELEGRAM_BOT_TOKEN" in caplog.text and "999:wrong" not in caplog.text


async def test_failed_download_is_retried_and_never_leaks_the_token(api: FakeBotAPI, tmp_path: Path) -> None:
    file_id = api.add_file(b"hello", "documents/b.txt")
    async with running(api, make_dialog(tmp_path)) as channel:
        api.fail("downloadFile", "5xx", status=502)
        assert await channel.download(file_id) == b"hello"  # one retry
        api.fail("downloadFile", "5xx", times=3, status=404)
        with pytest.raises(DownloadFailed) as err:
            await channel.download(file_id)
    assert "404" in str(err.value) and api.token not in str(err.value) and err.value.__cause__ is None
    assert channel.metrics["download_failures_total"] == 1


@pytest.mark.redis
async def test_webhook_with_redis_leases_acks_after_work_and_survives_a_lost_replica(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """Ack after the work: a duplicate during handling gets 503, after it 200 and no second answer;
    an update whose first replica died mid-way (lease released) is handled on redelivery."""
    import uuid

    import redis

    from handlers.state_redis import RedisDeduper

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    deduper = RedisDeduper(client, prefix=f"test:{uuid.uuid4().hex}:")
    url = "https://bot.example.org/tg/hook"
    async with running(api, make_dialog(tmp_path), webhook_url=url, webhook_secret="s3cret-Token") as channel:
        channel.deduper = deduper
        runner = web.AppRunner(channel.webhook_app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        hook = f"http://127.0.0.1:{port}/tg/hook"
        headers = {SECRET_HEADER: "s3cret-Token"}
        # another replica holds update 90 right now → 503 (Telegram retries later); no answer sent
        assert deduper.claim("telegram:90") == "new"
        async with aiohttp.ClientSession() as http:
            busy = await http.post(hook, json={"update_id": 90, **api.message_update(6, {"text": "bảo hiểm?"})},
                                   headers=headers)
            assert busy.status == 503
            deduper.release("telegram:90")  # that replica died: its lease is given back
            ok = await http.post(hook, json={"update_id": 90, **api.message_update(6, {"text": "bảo hiểm?"})},
                                 headers=headers)
            assert ok.status == 200 and len(api.sent(6)) == 1  # answered before the 200
            again = await http.post(hook, json={"update_id": 90, **api.message_update(6, {"text": "bảo hiểm?"})},
                                    headers=headers)
            assert again.status == 200
        await asyncio.sleep(0.2)
        await runner.cleanup()
    assert len(api.sent(6)) == 1
    client.close()
