"""Questions answered from the knowledge base: the ask flow, mismatch labels, small talk and intents."""

from handlers.ask.flow import AskFlow, abstain_text, answer_text
from handlers.ask.mismatch import mismatch_text
from handlers.ask.smalltalk_classify import INTENTS, Verdict, classify

__all__ = ["INTENTS", "AskFlow", "Verdict", "abstain_text", "answer_text", "classify", "mismatch_text"]
