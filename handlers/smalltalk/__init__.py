"""Small talk and intents, before any flow sees free text: greetings, thanks, "ok", stray digits
and "book a room" are not questions. `route` (the dialog's step) and the classifier behind it."""

from handlers.smalltalk.classify import INTENTS, Classifier, Verdict, classify
from handlers.smalltalk.route import Routed, route

__all__ = ["INTENTS", "Classifier", "Routed", "Verdict", "classify", "route"]
