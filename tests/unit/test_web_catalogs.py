"""The staff console's catalogs (`handlers/locales/<lang>/web*.yaml`) stay in step: the same files,
the same keys and the same placeholders in vi, ru and en; every key a template or a console module
names literally exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import yaml

from handlers.i18n import LOCALES_DIR, Catalog, _flatten

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "bot" / "web"
LITERAL_KEY = re.compile(r"""\bt\(\s*(?:request,\s*)?["']((?:web|error)[a-z0-9_]*(?:\.[a-z0-9_]+)+)["']""")


def _web_files(lang: str) -> dict[str, dict[str, str]]:
    return {p.name: dict(_flatten(yaml.safe_load(p.read_text(encoding="utf-8")) or {}))
            for p in sorted((LOCALES_DIR / lang).glob("web*.yaml"))}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_same_web_catalog_files_and_keys_in_vi_ru_en() -> None:
    files = {lang: _web_files(lang) for lang in ("vi", "ru", "en")}
    assert "web.yaml" in files["en"]
    assert set(files["vi"]) == set(files["ru"]) == set(files["en"])
    for name, en in files["en"].items():
        for lang in ("vi", "ru"):
            other = files[lang][name]
            assert set(other) == set(en), f"{lang}/{name}: {sorted(set(other) ^ set(en))}"
            bad = [k for k, text in en.items() if _fields(other[k]) != _fields(text)]
            assert bad == [], f"{lang}/{name}: placeholders differ for {bad}"
            assert [k for k, text in other.items() if not text.strip()] == []


def test_every_key_named_by_templates_and_console_code_exists() -> None:
    catalog = Catalog.load()
    sources = [*WEB.rglob("*.html"), *WEB.rglob("*.py"), ROOT / "handlers" / "staff" / "web.py"]
    named = {(p.name, key) for p in sources for key in LITERAL_KEY.findall(p.read_text(encoding="utf-8"))}
    assert ("home.html", "web.home.heading") in named  # the pattern finds what templates name
    missing = sorted(f"{name}: {key}" for name, key in named if not catalog.has(key, "en"))
    assert missing == []


def test_areas_and_refusal_reasons_have_texts() -> None:
    from bot.web.context import AREAS

    catalog = Catalog.load()
    for area in AREAS:
        assert catalog.has(area.title_key, "vi") and catalog.has(area.about_key, "ru")
    for reason in ("link_used", "link_expired", "link_unknown", "no_session", "not_staff", "csrf",
                   "admin_only", "rate_limited"):
        for lang in ("vi", "ru", "en"):
            assert catalog.has(f"web.refused.{reason}", lang)
