"""Roles (`admin`, `staff`) by (channel, user id). Checked on every staff call: no caching.

A user id means nothing without its channel: Telegram user 1001 and Zalo user 1001 are different
people. Users are written `CHANNEL:ID` (`telegram:1001`, `zalo_bot:…`, `zalo_oa:…`, `console:…`),
the channel being the one the bot's updates carry (`Incoming.channel`). `zalo:ID` is accepted when
exactly one Zalo channel is configured (else it is ambiguous and refused).

A bare id is refused by the CLI (`civicbot staff add 1001` names the accepted forms); in the chat
it means the channel of the chat the command was typed in. In `ADMIN_IDS`, a bare legacy entry is
taken as a Telegram id (the only channel the bot had when that setting was introduced), with a
warning at start-up asking to write `telegram:ID`.

Rows from before roles had a channel (migration 0002) whose channel was not in the audit log have
the channel `legacy`: they are listed, flagged, and grant nothing until staff confirm them on a
channel (`civicbot staff confirm telegram:1001`, `/staff confirm telegram:1001`) or remove them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from handlers.models import Role
from handlers.web_auth import revoke_in

log = logging.getLogger(__name__)

ROLES = ("admin", "staff")
CHANNELS = ("telegram", "zalo_bot", "zalo_oa", "console")
"""The channel names of `Incoming.channel`."""
ZALO_CHANNELS = ("zalo_bot", "zalo_oa")
LEGACY = "legacy"
"""The channel of unconfirmed rows from before roles had a channel: they grant nothing."""
MAX_ID = 100


class BadUserRef(ValueError):
    """A user given in a form that names no single (channel, user id)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{reason}: {text!r}. Write CHANNEL:ID with CHANNEL one of {', '.join(CHANNELS)} "
                         f"(e.g. telegram:123456789; zalo:ID when one Zalo channel is configured)")
        self.text = text


@dataclass(frozen=True)
class UserRef:
    channel: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.user_id}"


def parse_user(text: str, *, default_channel: str | None = None, configured: Iterable[str] | None = None,
               allow_legacy: bool = False) -> UserRef:
    """`telegram:1001` → UserRef("telegram", "1001"). A bare id takes `default_channel` (refused
    without one); `zalo:` resolves to the one configured Zalo channel among `configured`."""
    raw = text.strip()
    head, sep, rest = raw.partition(":")
    if sep and head.lower() in (*CHANNELS, "zalo", LEGACY):
        channel, user_id = head.lower(), rest.strip()
    elif sep:
        raise BadUserRef(raw, f"unknown channel {head!r}")
    elif default_channel is not None:
        channel, user_id = default_channel, raw
    else:
        raise BadUserRef(raw, "the channel is missing")
    if channel == "zalo":
        zalo = [c for c in (configured or ()) if c in ZALO_CHANNELS]
        if len(zalo) != 1:
            raise BadUserRef(raw, "zalo: is ambiguous here (write zalo_bot: or zalo_oa:)")
        channel = zalo[0]
    if channel == LEGACY and not allow_legacy:
        raise BadUserRef(raw, "legacy: rows can only be confirmed or removed")
    if not user_id or len(user_id) > MAX_ID or any(c.isspace() for c in user_id):
        raise BadUserRef(raw, "bad user id")
    return UserRef(channel, user_id)


def parse_admin_ids(entries: Iterable[str], *, configured: Iterable[str] | None = None) -> set[UserRef]:
    """`ADMIN_IDS` entries: `CHANNEL:ID`; a bare legacy entry is a Telegram id (with a warning);
    an entry naming no single channel is ignored with an error (it grants nothing)."""
    admins: set[UserRef] = set()
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        if ":" not in entry:
            log.warning("ADMIN_IDS entry %s has no channel: taken as telegram:%s (write telegram:%s, "
                        "zalo_bot:ID or zalo_oa:ID to silence this warning)", entry, entry, entry)
        try:
            admins.add(parse_user(entry, default_channel="telegram", configured=configured))
        except BadUserRef as exc:
            log.error("ADMIN_IDS entry ignored (it grants nothing): %s", exc)
    return admins


class RoleStore:
    def __init__(self, engine: Engine, bootstrap_admins: Iterable[str] = (), *,
                 configured: Iterable[str] | None = None) -> None:
        self.engine = engine
        self.configured = tuple(configured) if configured is not None else None
        self.bootstrap_admins: set[UserRef] = parse_admin_ids(bootstrap_admins, configured=self.configured)

    def parse(self, text: str, default_channel: str | None = None, *, allow_legacy: bool = False) -> UserRef:
        return parse_user(text, default_channel=default_channel, configured=self.configured,
                          allow_legacy=allow_legacy)

    # ---- checks (every call) ---------------------------------------------------------
    def role_of(self, channel: str, user_id: str) -> str | None:
        if channel == LEGACY:
            return None
        if UserRef(channel, str(user_id)) in self.bootstrap_admins:
            return "admin"
        table = Role.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            role = conn.execute(select(table.c.role).where(table.c.channel == channel)
                                .where(table.c.user_id == str(user_id))).scalar()
        return str(role) if role is not None else None

    def is_staff(self, channel: str, user_id: str) -> bool:
        return self.role_of(channel, user_id) in ROLES

    def is_admin(self, channel: str, user_id: str) -> bool:
        return self.role_of(channel, user_id) == "admin"

    def is_bootstrap(self, user: UserRef) -> bool:
        return user in self.bootstrap_admins

    # ---- changes -----------------------------------------------------------------------
    def add(self, user: UserRef, role: str = "staff", added_by: str | None = None) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
        if user.channel == LEGACY:
            raise BadUserRef(str(user), "legacy: rows can only be confirmed or removed")
        with Session(self.engine) as s:
            row = s.get(Role, (user.channel, user.user_id))
            if row is None:
                row = Role(channel=user.channel, user_id=user.user_id, role=role, added_by=added_by)
            else:
                row.role = role
                row.added_by = added_by
            s.add(row)
            s.commit()

    def remove(self, user: UserRef) -> bool:
        with Session(self.engine) as s:
            row = s.get(Role, (user.channel, user.user_id))
            if row is None:
                return False
            s.delete(row)
            revoke_in(s, user.channel, user.user_id)  # the staff web console's sessions end with the role
            s.commit()
            return True

    def confirm(self, user: UserRef, confirmed_by: str | None = None) -> str | None:
        """Move the unconfirmed (legacy) role of `user.user_id` to `user.channel`; its role, or None."""
        if user.channel == LEGACY:
            raise BadUserRef(str(user), "confirm a legacy role on a channel")
        with Session(self.engine) as s:
            legacy = s.get(Role, (LEGACY, user.user_id))
            if legacy is None:
                return None
            role = legacy.role
            row = s.get(Role, (user.channel, user.user_id))
            if row is None:
                s.add(Role(channel=user.channel, user_id=user.user_id, role=role, added_by=confirmed_by))
            elif row.role != "admin":
                row.role, row.added_by = role, confirmed_by
                s.add(row)
            s.delete(legacy)
            s.commit()
            return role

    def list(self) -> list[Role]:
        """Every role: confirmed rows (by channel and id), ADMIN_IDS admins not in rows, then the
        unconfirmed (legacy) rows."""
        with Session(self.engine) as s:
            rows = list(s.exec(select(Role).order_by(col(Role.channel), col(Role.user_id))).all())
        known = {UserRef(r.channel, r.user_id) for r in rows}
        extra = [Role(channel=a.channel, user_id=a.user_id, role="admin", added_by="ADMIN_IDS")
                 for a in sorted(self.bootstrap_admins - known, key=str)]
        return [r for r in rows if r.channel != LEGACY] + extra + [r for r in rows if r.channel == LEGACY]
