"""The console's staff member as a chat context, so console actions run the chat's own code.

An action taken in the console (upload, removal, answering a question group) calls the very
functions the staff chat calls (handlers/staff_upload.py, handlers/staff_views.py,
handlers/staff/answers.py). They take a `Ctx`: here it is a message on channel `web` from the
staff member (user id `CHANNEL:ID`, e.g. `telegram:901`), so audit entries read actor
`telegram:901`, channel `web`, and documents record `added_by` `web:telegram:901`.

The services are those of the running dialog under `civicbot run` (uploads then become
background jobs, bot/jobs.py), else the app's (`civicbot web`: the work runs inline). Either way
channel `web` can "download" a file the console staged (handlers/staff/upload_staging.py).
Replies meant for someone else (the staff chat's alerts, answers relayed to users) go to the
outbox, which the running bot's delivery worker sends.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from handlers.flow import Ctx, Services
from handlers.i18n import Catalog
from handlers.messages import Attachment, Incoming, Reply
from handlers.staff.upload_staging import WEB_CHANNEL, StagedFetch, UploadStaging

if TYPE_CHECKING:
    from bot.app import App
    from bot.hub import Hub
    from bot.web.context import Console


class StaffActions:
    """Per console: the services, the staging of uploaded files, contexts for the chat's code."""

    def __init__(self, app: App, hub: Hub | None, catalog: Catalog) -> None:
        self.app = app
        self.hub = hub
        self.catalog = catalog
        self._services: Services | None = None
        self._staging: UploadStaging | None = None
        self._lock = threading.Lock()

    @property
    def staging(self) -> UploadStaging:
        if self._staging is None:
            self._staging = UploadStaging(self.app.engine)
        return self._staging

    @property
    def services(self) -> Services:
        """The dialog's services (with a fetcher for channel `web`), built once, on first use."""
        with self._lock:
            if self._services is None:
                services = self.hub.dialog.services if self.hub is not None else self.app.services()
                if not isinstance(services.fetch_file, StagedFetch):
                    services.fetch_file = self.staging.fetcher(services.fetch_file)
                self._services = services
            return self._services

    def install(self) -> None:
        """Under `civicbot run`: let this replica's upload jobs read files staged by any console now
        (a job queued on another replica may run here). Cheap: the dialog already exists."""
        if self.hub is not None:
            _ = self.services

    def ctx(self, actor: str, lang: str, *, chat_id: str | None = None, attachment: Attachment | None = None,
            caption: str | None = None) -> Ctx:  # fmt: skip
        """A message from `actor` (CHANNEL:ID) on channel `web`; `chat_id` routes its replies."""
        msg = Incoming(channel=WEB_CHANNEL, chat_id=chat_id or actor, user_id=actor, user_name=actor,
                       kind="document" if attachment is not None else "text", attachment=attachment, caption=caption)
        return Ctx(msg, lang, self.catalog, self.services, {}, datetime.now(UTC))

    def send_targeted(self, replies: list[Reply]) -> list[Reply]:
        """Queue the replies that go to someone else in the outbox; return the ones for the console."""
        targeted = [r for r in replies if r.target is not None]
        if targeted:
            self.app.outbox.enqueue(targeted)
        return [r for r in replies if r.target is None]


def actions_of(console: Console) -> StaffActions:
    """The console's one `StaffActions` (the pages of this area share it)."""
    if console.staff_actions is None:
        console.staff_actions = StaffActions(console.app, console.hub, console.catalog)
    return console.staff_actions
