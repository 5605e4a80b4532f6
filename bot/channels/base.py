"""The channel contract: what the runner, the HTTP app, the hub and the outbox use of a messenger.

A channel turns a platform's updates into `Incoming` messages handed to the hub, and sends the
hub's `Reply`s back. `civicbot run` knows the channels only through this module and the registry
(bot/channels/registry.py); it never names one. Writing a new one: docs/WRITING_A_CHANNEL.md.

- `Channel`: the running adapter (`name`, `capabilities`, `routes`, `run`, `close`, `send`,
  `download`, `undeliverable_reason`).
- `ChannelHub`: what a channel may use of the hub (bot/hub.py).
- `ChannelSpec`: how the registry knows a channel without starting it: its name, capabilities,
  whether the settings configure it, and how to build it (`from_settings`).
- `ChannelBase`: optional defaults for the members most channels do not need to write.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from handlers.messages import Incoming, Reply

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App
    from bot.settings import Settings
    from handlers.dialog import Dialog


@dataclass(frozen=True)
class Capabilities:
    """What a messenger can show and carry."""

    buttons: bool
    """Inline buttons. False: choices are sent as a numbered list and a typed digit picks one."""
    max_text: int
    """Characters in one message; longer replies are split on sentence boundaries."""
    max_buttons: int
    """Buttons in one message (0 without buttons)."""
    files: bool
    """Documents can be sent (False: a reply's document goes out as text, or is logged and dropped)."""
    voice: bool
    """Voice messages are received as audio the bot can transcribe (STT_BACKEND, bot/speech.py)."""
    queued: bool = True
    """Replies go through the durable outbox (retried until sent). False: sent at once (the terminal)."""


class ChannelConfigError(ValueError):
    """The settings ask for something the channel refuses to start with (e.g. a webhook without a
    secret): `civicbot run` prints the message and exits with status 2."""


class ChannelHub(Protocol):
    """What a channel uses of the hub (bot/hub.py)."""

    @property
    def metrics(self) -> Counter[str]: ...

    @property
    def dialog(self) -> Dialog: ...

    def register(self, channel: Channel) -> None:
        """Make the channel the one that sends replies for its `name` (channels call it when built)."""
        ...

    async def process(self, msg: Incoming) -> list[Reply]:
        """Handle one update end to end (the dialog, then the replies durable or sent)."""
        ...

    async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> None:
        """Deliver replies that answer no update (alerts to the staff chat)."""
        ...


class Channel(Protocol):
    name: str
    """The `Incoming.channel` of its updates, and the `CHANNEL` of `CHANNEL:ID` in settings and commands."""
    capabilities: Capabilities

    def routes(self) -> list[web.RouteDef]:
        """The webhook routes (path → handler) the shared HTTP app mounts; [] when polling."""
        ...

    async def run(self, stop: asyncio.Event) -> None:
        """Receive updates until `stop` is set (poll, or register the webhook and wait), then finish
        the work in flight and release the connections."""
        ...

    async def close(self) -> None:
        """Release the connections (also safe when `run` never ran or already closed them)."""
        ...

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver one reply (split, retried as the platform needs); the last message id, if any.
        Raise `Undeliverable` for a refusal a retry cannot fix and `MaybeDelivered` when the message
        may have arrived (the outbox never resends it)."""
        ...

    async def download(self, file_ref: str) -> bytes:
        """The bytes of a file the user sent (an `Attachment.file_ref`); raises on failure."""
        ...

    def undeliverable_reason(self, exc: BaseException) -> str | None:
        """For the outbox: why a failed send can never succeed (blocked bot, chat gone), else None."""
        ...


ChannelFactory = Callable[["Settings", "App", ChannelHub], Channel]


@dataclass(frozen=True)
class ChannelSpec:
    """A channel as the registry knows it. Keep the module defining it quick to import: `build` may
    import the platform's SDK inside the function (aiogram takes seconds to import)."""

    name: str
    capabilities: Capabilities
    configured: Callable[[Settings], bool]
    """True when the settings hold what the channel needs (its token, its app id...)."""
    build: ChannelFactory
    """The running channel, wired as `civicbot run` wires it (inbox, outbox retries, leases)."""

    def from_settings(self, settings: Settings, app: App, hub: ChannelHub) -> Channel | None:
        """The channel built from the settings; None when they do not configure it."""
        return self.build(settings, app, hub) if self.configured(settings) else None


class ChannelBase:
    """Defaults for a channel's optional members: no webhook routes, `run` waits for `stop`, nothing
    to close, no file downloads, no platform errors to judge. Subclasses set `name` and
    `capabilities` and write `send` (and override what their platform needs)."""

    def routes(self) -> list[web.RouteDef]:
        return []

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await stop.wait()
        finally:
            await self.close()

    async def close(self) -> None:
        return None

    async def download(self, file_ref: str) -> bytes:
        raise LookupError("this channel receives no files")

    def undeliverable_reason(self, exc: BaseException) -> str | None:
        return None
