"""Speech to text: the seam where a transcription backend plugs in (`STT_BACKEND`, off by default).

A voice message reaches the dialog as `kind="voice"` with its audio URL in `Incoming.attachment`
(Zalo's `voice_url`, AAC at 16 kHz). With no backend the dialog answers politely, in the user's
language, that voice is not understood yet and asks for text. A backend (a local Whisper or
Vosk server, say) implements :class:`SpeechToText`; a channel then downloads the audio, and a
transcript turns the update into an ordinary text message before the dialog sees it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from handlers.messages import Incoming

log = logging.getLogger(__name__)


class SpeechToText(Protocol):
    async def transcribe(self, audio: bytes, mime_type: str | None, lang_hint: str | None) -> str | None:
        """The words spoken, or None when nothing usable was heard."""
        ...


class UnknownBackend(ValueError):
    """STT_BACKEND names no backend this build knows."""


BACKENDS: dict[str, Callable[[], SpeechToText]] = {}
"""Registered backends by name; a deployment adds its own here (none ship yet)."""


def make_stt(name: str | None) -> SpeechToText | None:
    """The configured backend; None for `off` (the default) or empty."""
    key = (name or "off").strip().lower()
    if key in ("", "off", "none"):
        return None
    if key not in BACKENDS:
        known = ", ".join(["off", *sorted(BACKENDS)])
        raise UnknownBackend(f"STT_BACKEND={name!r} is not a known backend (known: {known})")
    return BACKENDS[key]()


async def transcribed(msg: Incoming, stt: SpeechToText | None,
                      download: Callable[[str], Awaitable[bytes]]) -> Incoming:
    """A voice message as text when a backend heard words in it; otherwise the message unchanged."""
    if stt is None or msg.kind != "voice" or msg.attachment is None:
        return msg
    try:
        audio = await download(msg.attachment.file_ref)
        text = await stt.transcribe(audio, msg.attachment.mime_type, msg.language_code)
    except Exception as exc:  # a failed transcription falls back to the polite "please type" reply
        log.warning("speech to text failed: %s", type(exc).__name__)
        return msg
    if not text or not text.strip():
        return msg
    return dataclasses.replace(msg, kind="text", text=text.strip())
