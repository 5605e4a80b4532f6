"""Optional rephrasing of an answer by an OpenAI-compatible `/chat/completions` endpoint.

Off unless a base URL and a model are configured. The model sees only the retrieved passages and is
told to answer from them alone; its reply is rejected (→ the extractive answer is used) on any
HTTP error, timeout, malformed body, empty text, or a number that appears in none of the passages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import httpx

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 800
_PROMPTS = {
    "vi": "Trả lời ngắn gọn bằng tiếng Việt, CHỈ dựa trên các đoạn trích dưới đây. "
    "Giữ nguyên số liệu, ngày tháng và tên riêng. Nếu các đoạn trích không trả lời được, hãy trả lời: NONE.",
    "ru": "Ответь кратко по-русски, ТОЛЬКО по приведённым ниже фрагментам. "
    "Числа, даты и имена сохраняй точно. Если во фрагментах нет ответа, ответь: NONE.",
}
_NUMBER = re.compile(r"\d[\d.,\s]*\d|\d")


def _numbers(text: str) -> set[str]:
    return {re.sub(r"[.,\s]", "", m) for m in _NUMBER.findall(text)}


class LLMRephraser:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 8.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout_s = timeout_s
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout_s, headers=headers, transport=transport)

    def close(self) -> None:
        self._client.close()

    def _messages(self, question: str, lang: str, passages: Sequence[str], extractive: str) -> list[dict[str, str]]:
        context = "\n\n".join(f"[{i + 1}] {p}" for i, p in enumerate(passages))
        user = f"{context}\n\n---\n{question}\n\n(extract: {extractive})"
        return [{"role": "system", "content": _PROMPTS.get(lang, _PROMPTS["vi"])}, {"role": "user", "content": user}]

    def rephrase(self, question: str, lang: str, passages: Sequence[str], extractive: str) -> str | None:
        """The rephrased answer, or None (caller keeps the extractive one) on any problem."""
        body = {"model": self.model, "temperature": 0, "max_tokens": 400,
                "messages": self._messages(question, lang, passages, extractive)}
        try:
            resp = self._client.post(self.url, json=body)
            resp.raise_for_status()
            text = resp.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("LLM rephrasing failed, using the extractive answer: %s", type(exc).__name__)
            return None
        if not isinstance(text, str):
            return None
        text = text.strip()
        if not text or text.upper().startswith("NONE") or len(text) > MAX_ANSWER_CHARS:
            return None
        if not _numbers(text) <= _numbers(" ".join(passages)):
            log.warning("LLM answer has a number found in no passage; using the extractive answer")
            return None
        return text
