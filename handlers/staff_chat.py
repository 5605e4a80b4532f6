"""Writing to staff, for every flow: the language of messages to the staff chat.

Staff have their own language, independent of `CIVICBOT_DEFAULT_LANG` (which is for citizens):
1. the language a staff member last chose with /lang in the chat the message goes to (the staff
   group, or a staff member's private chat) — the most recent choice in that chat wins
   (`Services.staff_langs`, handlers/staff_langs.py stores the choices);
2. else the `STAFF_LANG` setting (settings key `staff_lang`);
3. else Russian, the language of the House of NGOs.

It lives beside the flows, not in one of them: new booking requests, handoffs and knowledge alerts
all go to staff, and no flow imports another.
"""

from __future__ import annotations

from handlers.flow import Services
from handlers.messages import Target

FALLBACK_STAFF_LANG = "ru"


def staff_lang(services: Services, target: Target | None = None) -> str:
    """The language to write to staff in (see the module docstring); `target` defaults to the staff chat."""
    target = target or services.staff_target
    store = services.staff_langs
    if store is not None and target is not None:
        chosen = store.for_chat(target.channel, target.chat_id)
        if chosen:
            return str(chosen)
    return str(services.settings.get("staff_lang") or FALLBACK_STAFF_LANG)
