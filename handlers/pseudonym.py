"""Keyed pseudonyms: what the bot stores instead of raw messenger ids wherever it can.

Every pseudonym is an HMAC-SHA256 under one secret key (`PSEUDONYM_KEY`, see bot/keys.py), with a
different *purpose* label per use, so that values of different purposes never coincide and none can
be recomputed from a raw id without the key:

- :meth:`Pseudonyms.user_hash` — the analytics pseudonym (query log, eligibility results, stats,
  log lines). Same derivation as before this module existed: HMAC(key, "channel:user")[:32].
- :meth:`Pseudonyms.state_key` / :meth:`state_prefix` — dialog-state keys (SQL and Redis):
  ``<channel>:<op(user)>:<op(chat)>``; `forget` deletes by the prefix ``<channel>:<op(user)>:``.
- :meth:`Pseudonyms.rate_key` — rate-limit keys.
- :meth:`Pseudonyms.chat_ref` — a chat in log lines (delivery errors), never the raw chat id.
- :meth:`Pseudonyms.ref` — an opaque link between an operational row and an analytics row (a handoff
  and the question it forwards): each side stores the *other* side's keyed ref, so neither table holds a
  value that also appears in the other; only code holding the key can follow the link.

Raw ids stay only in operational tables that must deliver a reply (handoff, answer opt-ins, bookings),
which the retention purge (handlers/privacy.py) empties after `RETENTION_DAYS`.
"""

from __future__ import annotations

import hashlib
import hmac


class Pseudonyms:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:  # never show the key
        return "Pseudonyms(<key hidden>)"

    def _mac(self, purpose: str, *parts: str) -> str:
        message = "\x1f".join((purpose, *parts)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def user_hash(self, channel: str, user_id: str) -> str:
        """The analytics pseudonym (query log, eligibility log, statistics, log lines)."""
        return hmac.new(self._key, f"{channel}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def op_user(self, channel: str, user_id: str) -> str:
        """The operational pseudonym of a user (state and rate-limit keys); differs from `user_hash`."""
        return self._mac("op-user", channel, user_id)

    def state_prefix(self, channel: str, user_id: str) -> str:
        """The prefix of every dialog-state key of one user (all their chats)."""
        return f"{channel}:{self.op_user(channel, user_id)}:"

    def state_key(self, channel: str, chat_id: str, user_id: str) -> str:
        return self.state_prefix(channel, user_id) + self._mac("op-chat", channel, chat_id)

    def rate_key(self, channel: str, user_id: str) -> str:
        return f"{channel}:{self.op_user(channel, user_id)}"

    def chat_ref(self, channel: str, chat_id: str) -> str:
        """A chat as it may appear in log lines."""
        return f"{channel}:c{self._mac('log-chat', channel, chat_id)[:16]}"

    def audit_ref(self, channel: str, user_id: str) -> str:
        """How the audit log names a person whose data was forgotten (matches no other table)."""
        return f"{channel}:a{self._mac('audit', channel, user_id)[:16]}"

    def ref(self, kind: str, row_id: int) -> str:
        """An opaque keyed reference to row `row_id` of kind `kind` (`q`: query log, `h`: handoff)."""
        return self._mac("ref-" + kind, str(row_id))


DEV_PSEUDONYMS = Pseudonyms(b"")
"""For tests and tools that build services by hand; the application always passes its own key."""
