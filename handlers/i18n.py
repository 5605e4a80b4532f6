"""Message catalogs: every user-facing string, per locale (vi, ru; en as the fallback).

Catalogs are YAML files `handlers/locales/<lang>/<area>.yaml` with flat dotted keys
(`ask.no_answer`), merged per language. Values use `str.format` placeholders.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

from handlers.jsondata import JsonObject

LANGS = ("vi", "ru", "en")
FALLBACK = "en"
LOCALES_DIR = Path(__file__).parent / "locales"
log = logging.getLogger(__name__)


class Catalog:
    def __init__(self, messages: dict[str, dict[str, str]]) -> None:
        self.messages = messages

    @classmethod
    def load(cls, root: Path = LOCALES_DIR) -> Catalog:
        messages: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        for lang in LANGS:
            for path in sorted((root / lang).glob("*.yaml")):
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                if not isinstance(data, dict):
                    raise ValueError(f"{path}: a catalog must be a mapping of keys to strings")
                for key, value in _flatten(data):
                    messages[lang][key] = value
        return cls(messages)

    def has(self, key: str, lang: str | None = None) -> bool:
        return key in self.messages.get(lang or FALLBACK, {})

    def t(self, lang: str, key: str, /, **params: object) -> str:
        """The text for `key` in `lang` (else English, else the key itself), formatted with params."""
        template = self.messages.get(lang, {}).get(key)
        if template is None:
            template = self.messages[FALLBACK].get(key)
        if template is None:
            log.warning("missing catalog key %s", key)
            return key
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            log.warning("bad parameters for catalog key %s", key)
            return template


def _flatten(data: JsonObject, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_flatten(value, full + "."))
        else:
            out.append((full, str(value)))
    return out


def pick_lang(*candidates: str | None, default: str = "vi") -> str:
    """The first supported language among candidates (`ru-RU` → `ru`), else the default."""
    for cand in candidates:
        if cand:
            short = cand.lower().split("-", 1)[0].split("_", 1)[0]
            if short in ("vi", "ru"):
                return short
    return default
