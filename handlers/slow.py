"""Slow work outside the dialog workers: an LLM call (up to its 8 s timeout), a file download.

A flow returns a :class:`Later` where a reply's content needs slow work. The Later is itself a
Reply — the *placeholder*: what is sent if the work cannot be done, with the buttons the final
reply will have (the dialog remembers them for typed choices) — plus `work`, which returns the
replies to send in its place. The dialog saves the session before any work runs, so `work` must
not touch the session; it may do I/O and call services.

Who settles it (`Dialog.settle`: `work` run, its errors mapped to replies by handlers/errors.py):

- `Dialog.handle` (CLI, tests, tools): at once, in the calling thread — the same replies as ever;
- the hub (bot/hub.py), which calls `Dialog.begin`: in its pool for slow work, so no dialog worker
  waits; the chat's lock is held meanwhile, so the chat's replies keep their order, and `progress`
  is sent to the chat once when the work takes longer than a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from handlers.flow import Ctx
from handlers.messages import Incoming, Reply


def _nothing() -> list[Reply]:
    return []


@dataclass
class Later(Reply):
    work: Callable[[], list[Reply]] = field(default=_nothing, repr=False)
    """Returns the replies sent in this placeholder's place (runs in some other thread)."""
    progress: str | None = None
    """A short localized "still working on it" text, sent once if the work is slow."""
    lang: str = "vi"
    """The language of the error text if the work fails."""


def later(ctx: Ctx, placeholder: Reply, work: Callable[[], list[Reply]], progress_key: str | None = None) -> Later:
    """`placeholder` as a Later whose content comes from `work`."""
    return Later(**vars(placeholder), work=work, progress=ctx.t(progress_key) if progress_key else None,
                 lang=ctx.lang)


@runtime_checkable
class Staged(Protocol):
    """A dialog that leaves slow work to its caller (handlers/dialog.py's `Dialog`)."""

    def begin(self, msg: Incoming) -> list[Reply]:
        """The replies to `msg`, slow ones as `Later` placeholders."""
        ...

    def settle(self, later: Later) -> list[Reply]:
        """Run a Later's work (any thread); its replies, or the error's reply."""
        ...
