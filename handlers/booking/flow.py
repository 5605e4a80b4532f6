"""Room booking at the House of NGOs: room → day → start → duration → organization, contact, phone,
attendees, purpose → summary → confirm; Back/Cancel at every step. Staff approve or reject from the
staff chat; `/mybookings` and `/pending` list bookings. Staff actions: handlers/booking/staff.py.

Callback data (all ≤ 64 bytes): bk:room:ID, bk:cal:PAGE, bk:day:YYYY-MM-DD, bk:slot:HHMM, bk:dur:MIN,
bk:far:YYYY-MM-DD (confirm a far date), bk:ok, bk:ap:ID, bk:rj:ID, bk:rjn:ID, bk:cx:ID (asks), bk:cxy:ID
(confirms), bk:cxn:ID (keeps), bk:ics:ID.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from bookings.models import Room
from bookings.rules import clean_text, fail, parse_attendees, parse_phone
from bookings.service import Requester
from handlers.booking import staff, views
from handlers.booking.dates import TypedDay, parse_clock, parse_duration, parse_typed_day
from handlers.flow import Ctx, Flow, Services, Stale
from handlers.messages import Choice, Reply
from handlers.staff_chat import staff_lang

STEPS = ("room", "day", "slot", "dur", "repeat", "org", "contact", "phone", "attendees", "equip", "purpose", "confirm")
TEXT_STEPS = {"org": "booking.ask_org", "contact": "booking.ask_contact", "phone": "booking.ask_phone",
              "purpose": "booking.ask_purpose"}
AVAILABLE_TTL_S = 5.0
REPEAT_CHOICES = (1, 2, 4, 8)
FAR_AHEAD_DAYS = 183
"""A date typed without a year that lands further ahead than this is confirmed first."""


class BookingFlow(Flow):
    name = "bk"
    menu_key = "menu.book"
    commands = ("book", "mybookings", "pending")
    intents = {"booking": "book"}

    def __init__(self) -> None:
        self._available_cache: tuple[float, bool] | None = None

    def available(self, services: Services) -> bool:
        """Shown only when rooms exist; cached for a few seconds (the menu asks on every update)."""
        if services.bookings is None:
            return False
        now = time.monotonic()
        cached = self._available_cache
        if cached is None or now - cached[0] > AVAILABLE_TTL_S:
            cached = self._available_cache = (now, bool(services.bookings.list_rooms()))
        return cached[1]

    # ---- entry points -------------------------------------------------------------------
    def start(self, ctx: Ctx) -> list[Reply]:
        ctx.data["step"] = "room"
        return self._ask(ctx)

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        if command == "mybookings":
            return staff.my_bookings(ctx)
        if command == "pending":
            return staff.pending(ctx)
        ctx.enter(self.name)
        return self.start(ctx)

    def on_callback(self, ctx: Ctx, data: str) -> list[Reply]:
        _, action, arg = (data.split(":", 2) + ["", ""])[:3]
        handler = staff.ACTIONS.get(action)
        if handler is not None:
            return handler(ctx, _int(arg))
        if ctx.flow != self.name:
            raise Stale()
        step = ctx.data.get("step")
        if action == "eq" and step == "equip":
            return self._toggle_equipment(ctx, arg)
        if action == "cal" and step == "day" and arg.isdigit():
            ctx.data["page"] = min(int(arg), 3)
            return self._ask(ctx)
        if action == "far" and step == "day" and arg == ctx.data.get("far"):
            return self._take_day(ctx, date.fromisoformat(arg))
        expected = {"room": "room", "day": "day", "slot": "slot", "dur": "dur", "rep": "repeat", "ok": "confirm"}
        if expected.get(action) != step:
            raise Stale()
        return self._answer(ctx, str(step), arg, from_button=True)

    def on_text(self, ctx: Ctx, text: str) -> list[Reply]:
        step = ctx.data.get("step")
        if step == "reject_reason":
            return staff.reject_with_reason(ctx, text)
        if step in (None, "room", "confirm"):
            return self._ask(ctx)
        return self._answer(ctx, step, text)

    def on_back(self, ctx: Ctx) -> list[Reply]:
        step = ctx.data.get("step")
        if step not in STEPS or step == "room":
            ctx.finish()
            return []
        ctx.data["step"] = self._next(ctx, step, -1)
        return self._ask(ctx)

    # ---- questions ----------------------------------------------------------------------
    def _ask(self, ctx: Ctx) -> list[Reply]:
        step, svc = ctx.data.get("step", "room"), staff.bookings(ctx)
        if step == "room":
            rooms = svc.list_rooms()
            rows = [[Choice(views.room_line(ctx.catalog, ctx.lang, r), f"bk:room:{r.id}")] for r in rooms]
            return [Reply(ctx.t("booking.pick_room"), choices=rows + [ctx.nav(self.name)])]
        room = svc.get_room(ctx.data["room"])
        if step == "day":
            page = int(ctx.data.get("page", 0))
            days = svc.open_days(int(ctx.data["room"]), views.page_start(self._today(ctx), page), views.PAGE_DAYS)
            rows = views.calendar_rows(ctx.catalog, ctx.lang, days, page)
            text = ctx.t("booking.pick_day", room=room.display_name(ctx.lang))
            return [Reply(text, choices=rows + [ctx.nav(self.name)])]
        if step == "slot":
            return self._ask_slot(ctx, room)
        if step == "dur":
            return self._ask_duration(ctx, room)
        if step == "repeat":
            limit = room.max_repeat_weeks
            buttons = [Choice(ctx.t("booking.repeat_once") if n == 1 else ctx.t("booking.repeat_weeks", n=n),
                              f"bk:rep:{n}") for n in REPEAT_CHOICES if n <= limit]
            rows = [row for row in (buttons[:2], buttons[2:]) if row]
            return [Reply(ctx.t("booking.ask_repeat", max=limit), choices=[*rows, ctx.nav(self.name)], input="text")]
        if step == "attendees":
            return [Reply(ctx.t("booking.ask_attendees", capacity=room.capacity), choices=[ctx.nav(self.name)],
                          input="text")]
        if step == "equip":
            return [views.equipment_reply(ctx.catalog, ctx.lang, room, ctx.data.get("equipment", []),
                                          ctx.nav(self.name))]
        if step == "confirm":
            rows = [[Choice(ctx.t("booking.confirm"), "bk:ok")], ctx.nav(self.name)]
            text = ctx.t("booking.summary", **self._summary(ctx, room))
            if int(ctx.data.get("weeks", 1)) > 1:
                text += "\n" + ctx.t("booking.repeat_note", n=ctx.data["weeks"])
            return [Reply(text, choices=rows)]
        return [Reply(ctx.t(TEXT_STEPS[step]), choices=[ctx.nav(self.name)], input="text")]

    def _ask_slot(self, ctx: Ctx, room: Room) -> list[Reply]:
        svc, day = staff.bookings(ctx), date.fromisoformat(ctx.data["day"])
        starts = svc.free_starts(int(ctx.data["room"]), day)
        text = ctx.t("booking.pick_slot", room=room.display_name(ctx.lang), date=views.fmt_date(day), tz=svc.tz.key)
        busy = svc.busy(int(ctx.data["room"]), day)
        if busy:
            text += "\n" + ctx.t("booking.busy_note", spans=", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in busy))
        return [Reply(text, choices=views.slot_rows(starts) + [ctx.nav(self.name)], input="text")]

    def _ask_duration(self, ctx: Ctx, room: Room) -> list[Reply]:
        limit = staff.bookings(ctx).max_minutes(int(ctx.data["room"]), self._start(ctx))
        options = views.duration_options(limit)
        buttons = [Choice(views.fmt_hours(m, ctx.catalog, ctx.lang), f"bk:dur:{m}") for m in options]
        rows = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
        text = ctx.t("booking.pick_duration", start=ctx.data["start"],
                     max=views.fmt_hours(limit, ctx.catalog, ctx.lang))
        return [Reply(text, choices=rows + [ctx.nav(self.name)], input="text")]

    # ---- answers ------------------------------------------------------------------------
    def _answer(self, ctx: Ctx, step: str, value: str, from_button: bool = False) -> list[Reply]:
        svc = staff.bookings(ctx)
        if step == "room":
            ctx.data.update(room=svc.get_room(value).id, page=0)
        elif step == "day":
            return self._answer_day(ctx, value)
        elif step == "slot":
            return self._answer_slot(ctx, value)
        elif step == "dur":
            return self._answer_duration(ctx, value, from_button)
        elif step == "repeat":
            weeks, limit = int(value) if value.strip().isdigit() else 0, svc.get_room(ctx.data["room"]).max_repeat_weeks
            if not 1 <= weeks <= limit:
                return [Reply(ctx.t("booking.bad_repeat", max=limit)), *self._ask(ctx)]
            ctx.data["weeks"] = weeks
        elif step == "phone":
            ctx.data["phone"] = parse_phone(value)
        elif step == "attendees":
            count, capacity = parse_attendees(value), svc.get_room(ctx.data["room"]).capacity
            if count > capacity:
                raise fail("over_capacity", attendees=count, capacity=capacity)
            ctx.data["attendees"] = count
        elif step == "equip":  # typed instead of tapped: a free-text equipment need
            ctx.data["equipment"] = [*ctx.data.get("equipment", []), clean_text("equipment", value)]
        elif step == "confirm":
            return self._submit(ctx)
        else:
            ctx.data[step] = clean_text(step, value)
        ctx.data["step"] = self._next(ctx, step, +1)
        return self._ask(ctx)

    def _answer_day(self, ctx: Ctx, value: str) -> list[Reply]:
        iso = _iso_day(value)
        typed = TypedDay(iso) if iso is not None else parse_typed_day(value, self._today(ctx))
        if typed is None:
            return [Reply(ctx.t("booking.bad_day", text=value))] + self._ask(ctx)
        if typed.year_guessed and (typed.day - self._today(ctx)).days > FAR_AHEAD_DAYS:
            ctx.data["far"] = typed.day.isoformat()
            far = Choice(ctx.t("booking.far_yes", date=views.fmt_date(typed.day)), f"bk:far:{typed.day.isoformat()}")
            rows = [[far], ctx.nav(self.name)]
            return [Reply(ctx.t("booking.far_confirm", date=views.fmt_date(typed.day)), choices=rows)]
        return self._take_day(ctx, typed.day)

    def _take_day(self, ctx: Ctx, day: date) -> list[Reply]:
        svc = staff.bookings(ctx)
        ctx.data.pop("far", None)
        refusal = svc.day_refusal(ctx.data["room"], day)
        if refusal is not None:
            return [Reply(views.day_refusal_text(ctx.catalog, ctx.lang, svc.get_room(ctx.data["room"]), day,
                                                 refusal))] + self._ask(ctx)
        if not svc.free_starts(ctx.data["room"], day):
            return [Reply(ctx.t("booking.no_slots", date=views.fmt_date(day)))] + self._ask(ctx)
        ctx.data.update(day=day.isoformat(), step="slot")
        return self._ask(ctx)

    def _answer_slot(self, ctx: Ctx, value: str) -> list[Reply]:
        clock = (int(value[:2]), int(value[2:])) if len(value) == 4 and value.isdigit() else parse_clock(value)
        svc, day = staff.bookings(ctx), date.fromisoformat(ctx.data["day"])
        starts = {(t.hour, t.minute) for t in svc.free_starts(ctx.data["room"], day)}
        if clock is None:
            return [Reply(ctx.t("booking.bad_slot"))] + self._ask(ctx)
        if clock not in starts:
            start = datetime.combine(day, datetime.min.time()).replace(hour=clock[0], minute=clock[1])
            refusal = svc.slot_refusal(ctx.data["room"], start)
            text = (views.refusal_text(ctx.catalog, ctx.lang, refusal) if refusal is not None
                    else ctx.t("booking.bad_slot"))
            return [Reply(text)] + self._ask(ctx)
        ctx.data.update(start=f"{clock[0]:02d}:{clock[1]:02d}", step="dur")
        return self._ask(ctx)

    def _answer_duration(self, ctx: Ctx, value: str, from_button: bool) -> list[Reply]:
        minutes = int(value) if from_button and value.isdigit() else parse_duration(value)
        limit = staff.bookings(ctx).max_minutes(ctx.data["room"], self._start(ctx))
        if minutes is None or not 0 < minutes <= limit:
            max_text = views.fmt_hours(limit, ctx.catalog, ctx.lang)
            return [Reply(ctx.t("booking.bad_duration", max=max_text))] + self._ask(ctx)
        ctx.data.update(minutes=minutes, step="repeat")
        return self._ask(ctx)

    def _submit(self, ctx: Ctx) -> list[Reply]:
        d, svc, msg = ctx.data, staff.bookings(ctx), ctx.msg
        start = self._start(ctx)
        made = svc.request(room=d["room"], start=start, end=start + timedelta(minutes=int(d["minutes"])),
                           org=d["org"], contact=d["contact"], phone=d["phone"], attendees=d["attendees"],
                           purpose=d["purpose"], equipment=", ".join(d.get("equipment", [])),
                           requester=Requester(msg.channel, msg.user_id, msg.chat_id, ctx.lang),
                           repeat_weeks=int(d.get("weeks", 1)))
        ctx.finish()
        replies = [Reply(ctx.t("booking.sent", id=made[0].id))]
        if len(made) > 1:
            replies.append(Reply(ctx.t("booking.sent_series", n=len(made), ids=", ".join(f"#{b.id}" for b in made))))
        if ctx.staff_target is not None:
            lang = staff_lang(ctx.services)
            replies.extend(views.staff_card(ctx.catalog, lang, svc, b, ctx.staff_target) for b in made)
        return replies

    def _toggle_equipment(self, ctx: Ctx, arg: str) -> list[Reply]:
        items = staff.bookings(ctx).get_room(ctx.data["room"]).equipment
        chosen: list[str] = list(ctx.data.get("equipment", []))
        if arg == "done":
            ctx.data["step"] = "purpose"
            return self._ask(ctx)
        if not arg.isdigit() or int(arg) >= len(items):
            raise Stale()
        item = items[int(arg)]
        ctx.data["equipment"] = [x for x in chosen if x != item] if item in chosen else [*chosen, item]
        return self._ask(ctx)

    def _next(self, ctx: Ctx, step: str, direction: int) -> str:
        """The neighbouring step; the equipment step only when the room has equipment."""
        index = STEPS.index(step) + direction
        if STEPS[index] == "equip" and not staff.bookings(ctx).get_room(ctx.data["room"]).equipment:
            index += direction
        return STEPS[index]

    # ---- helpers ------------------------------------------------------------------------
    def _today(self, ctx: Ctx) -> date:
        return staff.bookings(ctx).to_local(ctx.now).date()

    def _start(self, ctx: Ctx) -> datetime:
        return datetime.combine(date.fromisoformat(ctx.data["day"]),
                                datetime.strptime(ctx.data["start"], "%H:%M").time())

    def _summary(self, ctx: Ctx, room: Room) -> dict[str, object]:
        d, start = ctx.data, self._start(ctx)
        end = start + timedelta(minutes=int(d["minutes"]))
        return {"room": room.display_name(ctx.lang), "date": views.fmt_date(start.date()), "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}", "tz": staff.bookings(ctx).tz.key, "org": d["org"], "contact": d["contact"],
                "phone": d["phone"], "attendees": d["attendees"], "purpose": d["purpose"],
                "equipment": views.equipment_text(ctx.catalog, ctx.lang, d.get("equipment", [])) or "—"}


def _int(value: str) -> int:
    if not value.isdigit():
        raise Stale()
    return int(value)


def _iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 and value[4] == "-" else None
    except ValueError:
        return None
