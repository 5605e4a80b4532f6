"""Zalo Bot Platform media as the platform sends it (issue 13): photos, voice, unsupported, idle polls.

Payload shapes: `message.image.received` carries `photo_url` (the field the official SDK
`python-zalo-bot` 0.1.9 reads in `Message.de_json`); `message.voice.received` carries `voice_url`
(AAC, 16 kHz); `message.unsupported.received` carries no content at all. `date` is in ms.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import speech
from bot.channels.zalo_bot_channel import ZaloBotChannel, to_incoming
from bot.hub import Hub
from handlers.i18n import Catalog
from handlers.messages import MaybeDelivered, Reply
from tests.e2e.test_zalo_bot import make_dialog, wait_for
from tests.fakes.zalo_api import FakeZalo


def media_update(event: str, chat: str = "u9", **fields: Any) -> dict[str, Any]:
    message = {"message_id": uuid.uuid4().hex, "from": {"id": chat, "display_name": "Hoa", "is_bot": False},
               "chat": {"id": chat, "chat_type": "PRIVATE"}, "date": int(time.time() * 1000), **fields}
    return {"event_name": event, "message": message}


@pytest.fixture()
async def fake() -> AsyncIterator[FakeZalo]:
    server = await FakeZalo().start()
    yield server
    await server.stop()


def test_photo_and_voice_urls_become_attachments() -> None:
    photo = to_incoming(media_update("message.image.received", photo_url="https://cdn.example/p.jpg",
                                     caption="giấy tờ"))
    assert photo is not None and photo.kind == "photo" and photo.attachment is not None
    assert photo.attachment.file_ref == "https://cdn.example/p.jpg" and photo.caption == "giấy tờ"
    voice = to_incoming(media_update("message.voice.received", voice_url="https://cdn.example/v.aac"))
    assert voice is not None and voice.kind == "voice" and voice.attachment is not None
    assert voice.attachment.file_ref == "https://cdn.example/v.aac" and voice.attachment.mime_type == "audio/aac"
    hidden = to_incoming(media_update("message.unsupported.received"))
    assert hidden is not None and hidden.kind == "unsupported" and hidden.text is None


async def test_voice_photo_and_unsupported_get_explicit_replies(tmp_path: Path, fake: FakeZalo) -> None:
    hub = Hub(make_dialog(tmp_path))
    channel = ZaloBotChannel(hub, fake.token, fake.base, typing=False)
    catalog = Catalog.load()
    try:
        await channel.handle_update(media_update("message.voice.received", voice_url=f"{fake.base}/_media/v.aac"))
        await channel.handle_update(media_update("message.image.received", photo_url=f"{fake.base}/_media/p.jpg"))
        await channel.handle_update(media_update("message.unsupported.received"))
        texts = fake.texts("u9")
        assert texts[0] == catalog.t("vi", "common.unsupported_voice")
        assert texts[1] == catalog.t("vi", "common.unsupported_photo")
        assert texts[2] == catalog.t("vi", "common.unsupported_unsupported")
        assert texts[2] != catalog.t("vi", "common.unsupported_other")
        assert hub.metrics["media_total:voice"] == 1 and hub.metrics["media_total:unsupported"] == 1
    finally:
        await channel.close()
        hub.close()


class FixedTranscript:
    """A real implementation of the SpeechToText seam that hears one fixed sentence."""

    def __init__(self) -> None:
        self.heard: list[bytes] = []

    async def transcribe(self, audio: bytes, mime_type: str | None, lang_hint: str | None) -> str | None:
        self.heard.append(audio)
        return "bảo hiểm y tế cho hộ nghèo"


async def test_a_speech_backend_plugs_in_behind_stt_backend(tmp_path: Path, fake: FakeZalo,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert speech.make_stt("off") is None and speech.make_stt(None) is None
    with pytest.raises(speech.UnknownBackend, match="STT_BACKEND"):
        speech.make_stt("whisper-nowhere")
    backend = FixedTranscript()
    monkeypatch.setitem(speech.BACKENDS, "fixed", lambda: backend)
    hub = Hub(make_dialog(tmp_path))
    channel = ZaloBotChannel(hub, fake.token, fake.base, typing=False, stt=speech.make_stt("fixed"))
    try:
        await channel.handle_update(media_update("message.voice.received", voice_url=f"{fake.base}/_media/v.aac"))
        assert backend.heard and backend.heard[0].startswith(b"\xff\xf1")  # the audio was downloaded
        assert any("Nhà nước đóng bảo hiểm y tế" in t for t in fake.texts("u9"))  # answered as a question
    finally:
        await channel.close()
        hub.close()


@pytest.mark.parametrize("idle", ["json", "http408", "http408-empty"])
async def test_an_idle_long_poll_is_no_updates_not_an_error(tmp_path: Path, idle: str,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    fake = await FakeZalo(idle=idle).start()
    hub = Hub(make_dialog(tmp_path))
    # a long back-off: an idle poll mistaken for a network error would stall polling for seconds
    channel = ZaloBotChannel(hub, fake.token, fake.base, poll_timeout_s=1, backoff_s=5.0, typing=False)
    stop = asyncio.Event()
    runner = asyncio.create_task(channel.run(stop))
    try:
        await wait_for(lambda: fake.calls["getUpdates"] >= 3, timeout=4.5)  # ~1 s each when idle
        fake.push_update(media_update("message.text.received", text="/help"))
        await wait_for(lambda: len(fake.texts("u9")) >= 1, timeout=4.0)
        assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR") and "getUpdates" in r.message]
    finally:
        stop.set()
        await asyncio.wait_for(runner, 10)
        hub.close()
        await fake.stop()


async def test_a_send_that_timed_out_is_not_repeated(tmp_path: Path, fake: FakeZalo) -> None:
    """The platform got the message but answered too late: resending would show it twice."""
    hub = Hub(make_dialog(tmp_path))
    channel = ZaloBotChannel(hub, fake.token, fake.base, typing=False, backoff_s=0.01, send_timeout_s=0.3)
    fake.delay_s = 1.0
    try:
        with pytest.raises(MaybeDelivered):
            await channel.send("u5", Reply("Chỉ một lần."))
        await asyncio.sleep(1.0)
        assert fake.texts("u5") == ["Chỉ một lần."] and fake.calls["sendMessage"] == 1
        fake.delay_s = 0.0
        fake.fail_next(2, 502)  # a 5xx surely delivered nothing: retried
        await channel.send("u5", Reply("Lần hai."))
        assert fake.texts("u5") == ["Chỉ một lần.", "Lần hai."] and fake.calls["sendMessage"] == 4
    finally:
        await channel.close()
        hub.close()
