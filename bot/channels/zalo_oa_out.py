"""What a Zalo Official Account may send, and what it costs: replies vs proactive messages, quota
accounting, refusals that must not be retried, and files.

Zalo's OA API (v3, "tin Tư vấn", `POST /v3.0/oa/message/cs`) takes the recipient either as
`{"user_id": …}` — a *proactive* message, counted against the OA's paid or package quota and
refused with -230 once the user has not interacted for 7 days — or as `{"message_id": <the user's
incoming msg_id>}`, a *reply*: free, up to 8 per incoming message within 48 hours of it. Every
successful answer carries `data.quota.quota_type` (`reply`, `welcome_msg`, `sub_quota`,
`purchase_quota`, `reward_quota`; no `quota` object: a paid message), which we count.

Files: `POST /v2.0/oa/upload/file` (multipart field `file`; PDF, DOC, DOCX or CSV up to 5 MB)
answers `data.token`; the message then carries `{"attachment": {"type": "file", "payload":
{"token": …}}}`. Other file types (a booking's `.ics`, say) cannot be uploaded to Zalo, so their
content goes out as text instead (`file_as_text`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

REPLY_WINDOW_S = 48 * 3600
REPLIES_PER_MESSAGE = 8
UPLOADABLE = {".pdf": "application/pdf", ".doc": "application/msword", ".csv": "text/csv",
              ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
UPLOAD_MAX_BYTES = 5 * 1024 * 1024

# Refusals that a retry cannot fix. Codes as the issue tracker and Zalo's error table describe them:
# -230: the user has not interacted with the OA for 7 days (proactive messages refused);
# -213: the user does not follow the OA / cannot receive from it; -201: invalid parameters
# (e.g. an unknown user id); -224 and -32: the OA's message quota or rate is exhausted.
PERMANENT: dict[int, str] = {
    -230: "no_interaction_7d",
    -213: "not_reachable",
    -201: "invalid_request",
    -224: "quota_exhausted",
    -32: "quota_exhausted",
}


@dataclass
class _Incoming:
    message_id: str
    at: float
    used: int = 0


class ReplyWindow:
    """The user's latest incoming message, so that answers go out as free replies while they may.

    Kept per process: the replica that handles an event also sends its replies. A message sent
    later from another replica (a reminder, a staff relay) goes out as a proactive message, which
    is what Zalo would count it as after 48 hours anyway."""

    def __init__(self, max_users: int = 50_000) -> None:
        self._by_user: OrderedDict[str, _Incoming] = OrderedDict()
        self._lock = threading.Lock()
        self.max_users = max_users

    def seen(self, user_id: str, message_id: str | None, at: float | None = None) -> None:
        if not message_id:
            return
        with self._lock:
            self._by_user[user_id] = _Incoming(message_id, time.time() if at is None else at)
            self._by_user.move_to_end(user_id)
            while len(self._by_user) > self.max_users:
                self._by_user.popitem(last=False)

    def recipient(self, user_id: str, now: float | None = None) -> dict[str, str]:
        """`{"message_id": …}` while a free reply is left for the user's last message, else `{"user_id": …}`."""
        now = time.time() if now is None else now
        with self._lock:
            last = self._by_user.get(user_id)
            if last is not None and now - last.at < REPLY_WINDOW_S and last.used < REPLIES_PER_MESSAGE:
                last.used += 1
                return {"message_id": last.message_id}
        return {"user_id": user_id}

    def give_back(self, user_id: str, recipient: dict[str, str]) -> None:
        """A reply that was not sent does not use up the allowance."""
        if "message_id" not in recipient:
            return
        with self._lock:
            last = self._by_user.get(user_id)
            if last is not None and last.message_id == recipient["message_id"] and last.used > 0:
                last.used -= 1


def quota_kind(data: dict[str, object]) -> str:
    """Which allowance a sent message used: Zalo's `quota_type`, or `paid` when none is reported."""
    quota = data.get("quota")
    if isinstance(quota, dict) and quota.get("quota_type"):
        return str(quota["quota_type"])
    return "paid"


def uploadable(file_name: str, size: int) -> str | None:
    """The MIME type to upload a file as, or None when Zalo's file upload would refuse it."""
    dot = file_name.rfind(".")
    mime = UPLOADABLE.get(file_name[dot:].lower()) if dot >= 0 else None
    return mime if mime is not None and 0 < size <= UPLOAD_MAX_BYTES else None


def file_as_text(file_name: str, data: bytes, limit: int = 1500) -> str:
    """A file Zalo cannot carry, as readable text. A calendar file becomes its event lines."""
    text = data.decode("utf-8", errors="replace")
    if file_name.lower().endswith(".ics"):
        keep = ("SUMMARY", "DTSTART", "DTEND", "LOCATION", "DESCRIPTION")
        lines = []
        for raw in text.replace("\r\n ", "").splitlines():
            name, sep, value = raw.partition(":")
            if sep and name.split(";", 1)[0].upper() in keep:
                lines.append(f"{name.split(';', 1)[0].title()}: {value.replace(chr(92) + 'n', ' ').strip()}")
        text = "\n".join(lines) or text
    return text[:limit]
