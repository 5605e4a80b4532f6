"""Every messenger channel `civicbot run` can start, in start order: one `ChannelSpec` each.

Adding a messenger is one new module (its `SPEC`, see docs/WRITING_A_CHANNEL.md), its settings in
bot/settings.py, and its line below. The runner (bot/runner.py), the HTTP app (bot/http.py), the
roles (`CHANNEL:ID`) and the dialog (numbered choices where a channel has no buttons) learn about
it from here; none of them names a channel.

The terminal chat is not listed: it is what `civicbot run` falls back to when no messenger is
configured (bot/cli_chat.py hands it to the runner), and `civicbot chat`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.channels import console, telegram, zalo_bot, zalo_oa
from bot.channels.base import Channel, ChannelHub, ChannelSpec

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings


class Registry:
    def __init__(self, *specs: ChannelSpec) -> None:
        self._specs: list[ChannelSpec] = []
        for spec in specs:
            self.add(spec)

    def add(self, spec: ChannelSpec) -> None:
        if any(known.name == spec.name for known in self._specs):
            raise ValueError(f"a channel named {spec.name!r} is registered already")
        self._specs.append(spec)

    def remove(self, name: str) -> None:
        self._specs = [spec for spec in self._specs if spec.name != name]

    @contextmanager
    def added(self, spec: ChannelSpec) -> Iterator[ChannelSpec]:
        """`spec` registered for the duration of the block (tests, examples)."""
        self.add(spec)
        try:
            yield spec
        finally:
            self.remove(spec.name)

    @property
    def specs(self) -> tuple[ChannelSpec, ...]:
        return tuple(self._specs)

    def build(self, settings: Settings, app: App, hub: ChannelHub) -> list[Channel]:
        """The configured channels, built in order and registered with the hub."""
        channels: list[Channel] = []
        for spec in self._specs:
            channel = spec.from_settings(settings, app, hub)
            if channel is not None:
                hub.register(channel)
                channels.append(channel)
        return channels

    def names(self) -> tuple[str, ...]:
        """Every channel name there is (`CHANNEL:ID` in ADMIN_IDS, `/staff add`, `privacy forget`)."""
        return (*(spec.name for spec in self._specs), console.SPEC.name)

    def configured_names(self, settings: Settings) -> list[str]:
        """The channels these settings run, the terminal chat last (it always can)."""
        return [spec.name for spec in self._specs if spec.configured(settings)] + [console.SPEC.name]

    def text_only_names(self) -> frozenset[str]:
        """The channels without buttons (the terminal included): choices as a numbered list."""
        specs = [*self._specs, console.SPEC]
        return frozenset(spec.name for spec in specs if not spec.capabilities.buttons)


CHANNELS = Registry(
    telegram.SPEC,
    zalo_bot.SPEC,
    zalo_oa.SPEC,
)
