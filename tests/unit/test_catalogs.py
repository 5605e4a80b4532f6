"""Every user-facing string exists in vi, ru and en with the same placeholders, and every
catalog key the code names literally exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from handlers.i18n import Catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = Catalog.load()
KEY_CALL = re.compile(r"""\.t\(\s*(?:[a-z_.]+,\s*)?["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']\s*[,)]""")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_same_keys_in_every_language() -> None:
    vi, ru, en = (set(CATALOG.messages[lang]) for lang in ("vi", "ru", "en"))
    assert vi - ru == set(), "keys missing in ru"
    assert ru - vi == set(), "keys missing in vi"
    assert vi - en == set(), "keys missing in en (the fallback)"


def test_same_placeholders_in_every_language() -> None:
    bad = []
    for key, text in CATALOG.messages["en"].items():
        for lang in ("vi", "ru"):
            other = CATALOG.messages[lang].get(key)
            if other is not None and _fields(other) != _fields(text):
                bad.append((lang, key))
    assert bad == []


def test_keys_named_in_code_exist() -> None:
    missing = []
    for path in (ROOT / "handlers").rglob("*.py"):
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if key not in CATALOG.messages["en"] and not key.startswith("area."):  # flow.py's docstring
                missing.append(f"{path.name}: {key}")
    assert missing == []
