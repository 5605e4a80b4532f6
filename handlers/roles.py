"""Roles (`admin`, `staff`) by channel user id. Checked on every staff call: no caching."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from handlers.models import Role

ROLES = ("admin", "staff")


class RoleStore:
    def __init__(self, engine: Engine, bootstrap_admins: Iterable[str] = ()) -> None:
        self.engine = engine
        self.bootstrap_admins = {str(x) for x in bootstrap_admins}

    def role_of(self, user_id: str) -> str | None:
        if str(user_id) in self.bootstrap_admins:
            return "admin"
        table = Role.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            role = conn.execute(select(table.c.role).where(table.c.user_id == str(user_id))).scalar()
        return str(role) if role is not None else None

    def is_staff(self, user_id: str) -> bool:
        return self.role_of(user_id) in ROLES

    def is_admin(self, user_id: str) -> bool:
        return self.role_of(user_id) == "admin"

    def add(self, user_id: str, role: str = "staff", added_by: str | None = None) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
        with Session(self.engine) as s:
            row = s.get(Role, str(user_id))
            if row is None:
                row = Role(user_id=str(user_id), role=role, added_by=added_by)
            else:
                row.role = role
                row.added_by = added_by
            s.add(row)
            s.commit()

    def remove(self, user_id: str) -> bool:
        with Session(self.engine) as s:
            row = s.get(Role, str(user_id))
            if row is None:
                return False
            s.delete(row)
            s.commit()
            return True

    def list(self) -> list[Role]:
        with Session(self.engine) as s:
            rows = list(s.exec(select(Role)).all())
        known = {r.user_id for r in rows}
        rows.extend(Role(user_id=a, role="admin", added_by="ADMIN_IDS") for a in sorted(self.bootstrap_admins - known))
        return rows
