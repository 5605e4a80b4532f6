"""The flow registry: what each flow owns, checked once when the dialog is built.

Every command, callback-data prefix, staff-message kind, intent and capability has exactly one
owner; free text outside a flow and documents outside a flow have at most one. A second claim —
or a claim on a name the dialog keeps for itself (`/help`, `menu:`…) — raises
:class:`DuplicateRegistration` at start-up, naming both claimants, instead of one flow silently
shadowing the other. The dialog routes only through the lookups below, so no flow (and not the
dialog) names another flow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TypeVar, cast

from handlers.flow import Capability, Ctx, Flow, Services
from handlers.messages import CALLBACK_MAX_BYTES, Choice

DIALOG = "the dialog"
"""The owner of the names below (shown in the error message)."""
DIALOG_COMMANDS = ("start", "lang", "language", "help", "menu", "cancel")
DIALOG_BUTTONS = ("menu", "lang")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,15}$")
T = TypeVar("T")


class DuplicateRegistration(ValueError):
    """Two flows (or a flow and the dialog) claim the same command, prefix, kind or capability."""


class FlowRegistry:
    def __init__(self, flows: Iterable[Flow]) -> None:
        self.flows: dict[str, Flow] = {}
        """By name, in registration order (= menu order)."""
        self._owners: dict[str, dict[str, str]] = {}
        self._commands: dict[str, Flow] = {}
        self._buttons: dict[str, Flow] = {}
        self._tracks: dict[str, Flow] = {}
        self._intents: dict[str, Flow] = {}
        self._jobs: dict[str, Flow] = {}
        self._capabilities: dict[str, object] = {}
        self.free_text: Flow | None = None
        """The flow that takes free text outside any flow (questions), if any."""
        self.documents: Flow | None = None
        """The flow that takes documents sent outside a flow's own steps (uploads), if any."""
        for command in DIALOG_COMMANDS:
            self._claim("command", command, DIALOG)
        for prefix in DIALOG_BUTTONS:
            self._claim("button prefix", prefix, DIALOG)
        for flow in flows:
            self._add(flow)

    # ---- registration --------------------------------------------------------------------
    def _claim(self, kind: str, key: str, owner: str) -> None:
        taken = self._owners.setdefault(kind, {})
        if key in taken:
            raise DuplicateRegistration(
                f"{kind} {key!r} is claimed by flow {owner!r} but already belongs to "
                + (DIALOG if taken[key] == DIALOG else f"flow {taken[key]!r}"))
        taken[key] = owner

    def _add(self, flow: Flow) -> None:
        name = flow.name
        if not _NAME.match(name):
            raise ValueError(f"flow {type(flow).__name__}: name {name!r} must be 1-16 of a-z, 0-9, _")
        self._claim("flow name", name, name)
        for prefix in (name, *flow.buttons):
            if not _NAME.match(prefix) or len(prefix.encode()) + 1 >= CALLBACK_MAX_BYTES:
                raise ValueError(f"flow {name!r}: button prefix {prefix!r} must be 1-16 of a-z, 0-9, _")
            self._claim("button prefix", prefix, name)
            self._buttons[prefix] = flow
        for command in flow.commands:
            self._claim("command", command, name)
            self._commands[command] = flow
        for kind in flow.staff_replies:
            self._claim("staff message kind", kind, name)
            self._tracks[kind] = flow
        for intent, command in flow.intents.items():
            if command not in flow.commands:
                raise ValueError(f"flow {name!r}: intent {intent!r} starts {command!r}, not one of its commands")
            self._claim("intent", intent, name)
            self._intents[intent] = flow
        for kind in flow.jobs:
            self._claim("job kind", kind, name)
            self._jobs[kind] = flow
        for capability, provider in flow.capabilities().items():
            if not isinstance(provider, capability.protocol):
                raise TypeError(f"flow {name!r}: {provider!r} does not implement capability {capability.name!r}")
            self._claim("capability", capability.name, name)
            self._capabilities[capability.name] = provider
        if flow.free_text:
            self._claim("free text", "*", name)
            self.free_text = flow
        if flow.documents:
            self._claim("documents", "*", name)
            self.documents = flow
        self.flows[name] = flow

    # ---- lookups ---------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Flow]:
        return iter(self.flows.values())

    def get(self, name: str | None) -> Flow | None:
        return self.flows.get(name or "")

    def for_button(self, data: str) -> Flow | None:
        """The owner of callback data `<prefix>:...`."""
        return self._buttons.get(data.partition(":")[0])

    def for_command(self, command: str) -> Flow | None:
        return self._commands.get(command)

    def for_track(self, track: str) -> Flow | None:
        """The owner of a tracked message (`<kind>:<id>`)."""
        return self._tracks.get(track.partition(":")[0])

    def for_intent(self, intent: str) -> tuple[Flow, str] | None:
        """The flow serving an intent, with the command that starts it."""
        flow = self._intents.get(intent)
        return (flow, flow.intents[intent]) if flow is not None else None

    def capability(self, capability: Capability[T]) -> T | None:
        """The provider of a capability, None when no registered flow offers it."""
        provider = self._capabilities.get(capability.name)
        return cast(T, provider) if isinstance(provider, capability.protocol) else None

    def for_job(self, kind: str) -> Flow | None:
        """The flow that runs background jobs of this kind."""
        return self._jobs.get(kind)

    def job_kinds(self) -> list[str]:
        return list(self._jobs)

    def staff_reply_flows(self) -> list[Flow]:
        return [f for f in self.flows.values() if f.staff_replies]

    # ---- what a user is offered ------------------------------------------------------------
    def shown(self, flow: Flow, ctx: Ctx) -> bool:
        """Offered to this user: available, and staff-only flows only to staff."""
        return flow.available(ctx.services) and (not flow.staff_only or ctx.is_staff())

    def menu_rows(self, ctx: Ctx) -> list[list[Choice]]:
        """Each shown flow's main button, then the flows' extra buttons (one a row; each flow decides
        when to offer them)."""
        rows = [[Choice(ctx.t(f.menu_key), f"menu:{f.name}")] for f in self if f.menu_key and self.shown(f, ctx)]
        rows += [[choice] for f in self for choice in f.menu_extras(ctx)]
        return rows

    def help_lines(self, ctx: Ctx) -> list[str]:
        """The /help lines of the flows shown to this user."""
        return [ctx.t(f.help_key) for f in self if f.help_key and self.shown(f, ctx)]

    def public_commands(self, services: Services) -> list[str]:
        """Commands of the available flows that are not staff-only (for a platform's command menu)."""
        return [c for f in self if not f.staff_only and f.available(services) for c in f.commands]
