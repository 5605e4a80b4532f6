"""Questions answered from the knowledge base: the ask flow and mismatch labels."""

from handlers.ask.flow import AskFlow, abstain_text, answer_text
from handlers.ask.mismatch import mismatch_text

__all__ = ["AskFlow", "abstain_text", "answer_text", "mismatch_text"]
