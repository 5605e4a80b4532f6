"""The flow contract: what each flow owns is registered once, claimed twice is a start-up error, and
the dialog routes (commands, buttons, staff replies, intents, menu, help) by the registry only."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, ClassVar

import pytest

from handlers.dialog import Dialog
from handlers.flow import FOLLOW_UP, Capability, Ctx, Flow, Services
from handlers.flows import default_flows
from handlers.i18n import Catalog
from handlers.messages import Choice, Incoming, Reply, Target
from handlers.registry import DuplicateRegistration, FlowRegistry
from handlers.state import MemoryRateLimiter, MemoryStateStore

CATALOG = Catalog.load()
ROOT = Path(__file__).resolve().parents[2]
FLOW_PACKAGES = ("ask", "booking", "eligibility", "staff")


def flow(name: str, **declared: Any) -> Flow:
    """A flow class made up for the test, with the given declarations."""

    def start(self: Flow, ctx: Ctx) -> list[Reply]:
        return [Reply(f"{name} started")]

    def on_callback(self: Flow, ctx: Ctx, data: str) -> list[Reply]:
        return [Reply(f"{name} got {data}")]

    def on_command(self: Flow, ctx: Ctx, command: str, args: str) -> list[Reply]:
        return [Reply(f"{name} ran /{command} {args}".strip())]

    cls = type(f"Flow_{name}", (Flow,), {"name": name, "start": start, "on_callback": on_callback,
                                         "on_command": on_command, **declared})
    return cls()  # type: ignore[no-any-return]


def dialog(*flows: Flow, services: Services | None = None) -> Dialog:
    return Dialog(CATALOG, services or Services(), flows, MemoryStateStore(), limiter=MemoryRateLimiter(1000))


def msg(text: str = "", **kw: Any) -> Incoming:
    return Incoming(**{"channel": "telegram", "chat_id": "1", "user_id": "1", "text": text, **kw})


# ---- duplicates fail at start-up ---------------------------------------------------------------
def test_the_default_flows_register_without_conflicts() -> None:
    registry = FlowRegistry(default_flows())
    assert list(registry.flows) == ["ask", "elig", "bk", "staff", "web"]
    assert registry.for_command("book") is registry.flows["bk"]
    assert registry.for_button("staff:n:7") is registry.flows["staff"]
    assert registry.free_text is registry.flows["ask"] and registry.documents is registry.flows["staff"]
    assert registry.for_track("handoff:3") is registry.flows["ask"]
    assert registry.capability(FOLLOW_UP) is registry.flows["staff"]
    assert registry.job_kinds() == ["upload"] and registry.for_job("upload") is registry.flows["staff"]


def test_a_command_claimed_by_two_flows_fails_at_start_up_naming_both() -> None:
    with pytest.raises(DuplicateRegistration, match=r"command 'report'.*'second'.*'first'"):
        dialog(flow("first", commands=("report",)), flow("second", commands=("list", "report")))


def test_a_button_prefix_claimed_twice_fails() -> None:
    with pytest.raises(DuplicateRegistration, match=r"button prefix 'rep'"):
        dialog(flow("rep"), flow("other", buttons=("rep",)))
    with pytest.raises(DuplicateRegistration, match=r"flow name 'same'"):
        dialog(flow("same"), flow("same"))


@pytest.mark.parametrize("declared", [{"commands": ("help",)}, {"commands": ("start",)}, {"buttons": ("menu",)},
                                      {"buttons": ("lang",)}])
def test_the_dialog_s_own_commands_and_prefixes_cannot_be_claimed(declared: dict[str, Any]) -> None:
    with pytest.raises(DuplicateRegistration, match="the dialog"):
        dialog(flow("greedy", **declared))


@pytest.mark.parametrize(("first", "second", "claim"), [
    ({"staff_replies": ("ticket",)}, {"staff_replies": ("ticket",)}, "staff message kind 'ticket'"),
    ({"commands": ("go",), "intents": {"booking": "go"}}, {"commands": ("run",), "intents": {"booking": "run"}},
     "intent 'booking'"),
    ({"free_text": True}, {"free_text": True}, "free text"),
    ({"documents": True}, {"documents": True}, "documents"),
    ({"jobs": ("upload",)}, {"jobs": ("upload",)}, "job kind 'upload'"),
])
def test_staff_kinds_intents_free_text_documents_and_jobs_have_one_owner(first: dict[str, Any], second: dict[str, Any],
                                                                     claim: str) -> None:
    with pytest.raises(DuplicateRegistration, match=claim):
        dialog(flow("one", **first), flow("two", **second))


def test_a_capability_offered_twice_or_not_implemented_fails() -> None:
    class Offers(Flow):
        name = "offers"

        def capabilities(self) -> dict[Capability[Any], object]:
            return {FOLLOW_UP: self}

        def follow_up_data(self, services: Services, query_id: int) -> str | None:
            return f"offers:{query_id}"

    class AlsoOffers(Offers):
        name = "also"

    class Pretends(Flow):
        name = "pretends"

        def capabilities(self) -> dict[Capability[Any], object]:
            return {FOLLOW_UP: self}  # without follow_up_data

    with pytest.raises(DuplicateRegistration, match="capability 'follow_up'"):
        FlowRegistry([Offers(), AlsoOffers()])
    with pytest.raises(TypeError, match="follow_up"):
        FlowRegistry([Pretends()])
    assert FlowRegistry([Offers()]).capability(FOLLOW_UP) is not None
    assert FlowRegistry([]).capability(FOLLOW_UP) is None


def test_bad_names_and_an_intent_without_its_command_fail() -> None:
    with pytest.raises(ValueError, match="name"):
        FlowRegistry([flow("Has:Colon")])
    with pytest.raises(ValueError, match="intent 'booking'"):
        FlowRegistry([flow("bk2", intents={"booking": "book"})])


# ---- the dialog routes by the registry ---------------------------------------------------------
def test_commands_and_every_registered_prefix_reach_their_owner() -> None:
    d = dialog(flow("rep", commands=("report",), buttons=("rp",)), flow("other", commands=("list",)))
    assert d.handle(msg("/report now"))[0].text == "rep ran /report now"
    assert d.handle(msg("/list"))[0].text == "other ran /list"
    assert d.handle(msg(kind="callback", callback="rp:7"))[0].text == "rep got rp:7"
    assert d.handle(msg(kind="callback", callback="other:x"))[0].text == "other got other:x"
    stale = d.handle(msg(kind="callback", callback="nobody:x"))
    assert stale[0].text == CATALOG.t("vi", "common.stale_button")


def test_delivery_reports_go_to_the_owner_of_the_track_kind_only() -> None:
    seen: list[tuple[str, str]] = []

    class Tracks(Flow):
        name = "tracks"
        staff_replies: ClassVar[tuple[str, ...]] = ("ticket",)

        def on_sent(self, services: Services, track: str, message_id: str) -> None:
            seen.append((track, message_id))

    class Other(Flow):
        name = "other"

        def on_sent(self, services: Services, track: str, message_id: str) -> None:
            seen.append(("other!", message_id))

    d = dialog(Other(), Tracks())
    d.on_sent("ticket:4", "99")
    d.on_sent("unknown:1", "98")
    assert seen == [("ticket:4", "99")]


def test_staff_replies_are_offered_to_the_flows_that_own_staff_messages() -> None:
    class Desk(Flow):
        name = "desk"
        staff_replies: ClassVar[tuple[str, ...]] = ("ticket",)

        def on_staff_reply(self, ctx: Ctx) -> list[Reply]:
            return [Reply("relayed " + (ctx.msg.text or ""))] if ctx.msg.reply_to_message_id == "55" else []

    d = dialog(Desk(), services=Services(staff_target=Target("telegram", "-100")))
    relayed = d.handle(Incoming("telegram", "-100", "9", text="done", reply_to_message_id="55"))
    assert relayed[0].text == "relayed done"
    other = d.handle(Incoming("telegram", "-100", "9", text="done", reply_to_message_id="56"))
    assert other[0].text != "relayed done"


def test_menu_and_help_are_derived_from_the_registry() -> None:
    class Extra(Flow):
        name = "extra"
        menu_key = "menu.book"
        help_key = "ask.help"

        def menu_extras(self, ctx: Ctx) -> list[Choice]:
            return [Choice(ctx.t("menu.contact_staff"), "extra:more")]

    hidden = flow("hidden", menu_key="menu.ask", help_key="ask.preparing", available=lambda self, s: False)
    staff_only = flow("secret", menu_key="staff.menu_button", staff_only=True)
    d = dialog(Extra(), hidden, staff_only)
    menu = d.handle(msg("/menu"))[-1]
    assert [[c.data for c in row] for row in menu.choices] == [
        ["menu:extra"], ["extra:more"], ["menu:help", "menu:lang"]]
    help_text = d.handle(msg("/help"))[0].text
    assert help_text == "\n".join([CATALOG.t("vi", "common.help"), CATALOG.t("vi", "ask.help"),
                                   CATALOG.t("vi", "common.help_steps")])
    bare = dialog().handle(msg("/help"))[0].text
    assert CATALOG.t("vi", "ask.help") not in bare and CATALOG.t("vi", "common.help") in bare


def test_an_intent_starts_the_flow_registered_for_it() -> None:
    booked = flow("rooms", commands=("reserve",), intents={"booking": "reserve"})
    out = dialog(booked).handle(msg("tôi muốn đặt phòng họp"))
    assert out[0].text == CATALOG.t("vi", "smalltalk.start_booking")
    assert out[1].text == "rooms ran /reserve"
    nobody = dialog(flow("other")).handle(msg("tôi muốn đặt phòng họp"))
    assert nobody[0].text == CATALOG.t("vi", "smalltalk.no_booking")


# ---- no flow names another ---------------------------------------------------------------------
def _imports(path: Path) -> set[str]:
    """The modules `path` imports at run time (imports under `if TYPE_CHECKING:` only name types)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guards = [b for b in ast.walk(tree)
              if isinstance(b, ast.If) and isinstance(b.test, ast.Name) and b.test.id == "TYPE_CHECKING"]
    typing_only = {id(n) for block in guards for stmt in block.body for n in ast.walk(stmt)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_flow_imports_another_flow_and_the_dialog_imports_none() -> None:
    for package in FLOW_PACKAGES:
        others = {f"handlers.{p}" for p in FLOW_PACKAGES if p != package}
        for path in (ROOT / "handlers" / package).glob("*.py"):
            bad = {m for m in _imports(path) if any(m == o or m.startswith(o + ".") for o in others)}
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
    shared = [p for p in [*(ROOT / "handlers").glob("*.py"), *(ROOT / "handlers" / "smalltalk").glob("*.py")]
              if p.name != "flows.py"]  # flows.py lists them
    for path in shared:
        bad = {m for m in _imports(path)
               if any(m == f"handlers.{p}" or m.startswith(f"handlers.{p}.") for p in FLOW_PACKAGES)}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_no_flow_writes_another_flow_s_button_data() -> None:
    owners = {f.name: type(f).__module__.split(".")[1] for f in default_flows()}  # prefix → its package
    assert set(owners.values()) == set(FLOW_PACKAGES)
    for package in FLOW_PACKAGES:
        for path in (ROOT / "handlers" / package).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    head = node.value.partition(":")[0]
                    if ":" in node.value and head in owners and owners[head] != package:
                        pytest.fail(f"{path.relative_to(ROOT)} writes {node.value!r}, {head!r} belongs to another flow")
