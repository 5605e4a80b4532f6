"""Questions answered from the knowledge base: the ask flow and mismatch labels."""

from handlers.ask.flow import AskFlow
from handlers.ask.mismatch import mismatch_text

__all__ = ["AskFlow", "mismatch_text"]
