from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.text import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hộ nghèo được hỗ trợ bảo hiểm y tế theo quy định của Nhà nước.", "vi"),
        ("ho ngheo duoc ho tro gi khi gia dinh khong co nha o", "vi"),
        ("Chuan ngheo o nong thon la 1.500.000 dong moi nguoi moi thang", "vi"),
        ("Адресная социальная помощь назначается семьям с доходом ниже черты бедности.", "ru"),
        ("The poverty line differs by region and quarter in Kazakhstan.", "other"),
        ("Әлеуметтік көмек отбасыларға тағайындалады және ол әр тоқсан сайын қаралады.", "other"),
        ("12345 67890 !!!", "other"),
    ],
)
def test_detect(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_seeds(seeds: Path) -> None:
    langs = [detect_language(p.read_text(encoding="utf-8")) for p in sorted(seeds.glob("*.txt"))]
    assert langs == ["vi", "vi", "vi", "vi", "ru"]
