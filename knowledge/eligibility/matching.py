"""Typed answers matched loosely: option labels in any case form, counts written as words.

    match_option(options, "павлодарская") / "в Павлодаре" / "Pavlodar" → "pavlodar"
    match_option(options, "o nong thon") / "ở thành phố" → "rural" / "urban"
    count_word("четверо") == 4;  count_word("năm người") == 5;  count_word("hai mươi mốt") == 21

Matching folds case and diacritics (knowledge/text/fold.py: ё → е, й kept; Kazakh letters →
Russian), drops filler words ("ở", "в", "живём", "tỉnh", "область"...) and compares word stems (a
shared prefix), so declined Russian forms match. An option matches when every key word of one of
its labels (or aliases) is found; the best match wins, and a tie is no match (the chat asks again): nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from knowledge.text import fold_lower, kazakh_as_russian, nfc

_FILLER_WORDS = """
o ở tai tại song sống nha nhà toi tôi chung chúng em minh mình gia dinh đình khu vuc vực la là day đây cua của
ben bên tinh tỉnh в во на из у мы я живем живём живу семья наша наш наши город г г. обл обл. область области
областью регион региона районе район это от in at the we live living i my our of region city province oblast
town
"""
FILLER = frozenset(_FILLER_WORDS.split())
"""Words that never identify an option by themselves (folded forms are what count)."""


def fold(text: str) -> str:
    """Lowercase, no diacritics, Kazakh letters as Russian, punctuation as spaces."""
    text = fold_lower(kazakh_as_russian(nfc(text)))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_FILLER_FOLDED = frozenset(fold(w) for w in FILLER)


def words(text: str) -> list[str]:
    """The key words of a text: without filler, unless it is all filler ("город", "thành phố")."""
    folded = fold(text).split()
    return [w for w in folded if w not in _FILLER_FOLDED] or folded


def _same_word(typed: str, key: str) -> bool:
    """Equal, or the same stem: a shared prefix of ≥ 5 letters covering all but 3 of the shorter."""
    if typed == key:
        return True
    if typed.isdigit() or key.isdigit():
        return False
    common = 0
    for a, b in zip(typed, key, strict=False):
        if a != b:
            break
        common += 1
    return common >= 5 and common >= min(len(typed), len(key)) - 3


def _score(typed: list[str], label: str) -> int:
    """How well a label matches: 0 none; else 2 per exact key word and 1 per stem match."""
    keys = words(label)
    if not keys:
        return 0
    total = 0
    for key in keys:
        hits = [2 if t == key else 1 for t in typed if _same_word(t, key)]
        if not hits:
            return 0
        total += max(hits)
    extra = len(typed) - len(keys)
    return total * 10 - max(extra, 0)


def match_option(options: Sequence[tuple[str, Iterable[str]]], text: str) -> str | None:
    """The option id whose labels best match `text`; None when nothing or more than one fits."""
    typed = words(text)
    if not typed:
        return None
    best: dict[str, int] = {}
    for oid, labels in options:
        score = max((_score(typed, label) for label in labels), default=0)
        if score > 0:
            best[oid] = score
    if not best:
        return None
    top = max(best.values())
    winners = [oid for oid, s in best.items() if s == top]
    return winners[0] if len(winners) == 1 else None


# ---- counts as words -----------------------------------------------------------------------------
_UNITS = {
    "khong": 0, "mot": 1, "mốt": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "sau": 6, "bay": 7,
    "tam": 8, "chin": 9,
    "ноль": 0, "один": 1, "одна": 1, "одного": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
_COLLECTIVE = {"двое": 2, "трое": 3, "четверо": 4, "пятеро": 5, "шестеро": 6, "семеро": 7, "восьмеро": 8,
               "девятеро": 9, "десятеро": 10, "вдвоем": 2, "втроем": 3, "вчетвером": 4, "впятером": 5,
               "вшестером": 6, "всемером": 7, "один": 1, "одна": 1, "одни": 1}
_TEENS = {"десять": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14,
          "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"двадцать": 20, "тридцать": 30, "twenty": 20, "thirty": 30}
_PEOPLE_WORDS = """
người nguoi nhân khẩu khau thành viên vien con đứa dua cháu chau em человек человека чел чел. людей души душ
член члена членов семьи ребенок ребенка детей ребёнка people persons person members member children child kids
of us нас у всего всех итого tổng cộng cong co có nha nhà toi tôi gom gồm chung tôi
"""
_PEOPLE = frozenset(fold(w) for w in _PEOPLE_WORDS.split())


def count_word(text: str) -> int | None:
    """A count written in words (with or without a noun): None when it is not one."""
    tokens = [t for t in fold(text).split() if t not in _PEOPLE]
    if not tokens or len(tokens) > 3:
        return None
    if len(tokens) == 1:
        t = tokens[0]
        for table in (_COLLECTIVE, _UNITS, _TEENS, _TENS):
            if t in table:
                return table[t]
        return 10 if t == "muoi" else None
    return _vi_compound(tokens) if tokens[0] in _UNITS or tokens[0] == "muoi" else _ru_compound(tokens)


def _vi_compound(tokens: list[str]) -> int | None:
    """"mười hai" 12, "hai mươi" 20, "hai mươi mốt" 21 (folded: muoi)."""
    if tokens[0] == "muoi" and len(tokens) == 2 and tokens[1] in _UNITS:
        return 10 + _UNITS[tokens[1]]
    if len(tokens) >= 2 and tokens[1] == "muoi" and tokens[0] in _UNITS:
        tail = tokens[2:]
        if not tail:
            return 10 * _UNITS[tokens[0]]
        if len(tail) == 1 and tail[0] in _UNITS:
            return 10 * _UNITS[tokens[0]] + _UNITS[tail[0]]
    return None


def _ru_compound(tokens: list[str]) -> int | None:
    if len(tokens) == 2 and tokens[0] in _TENS and tokens[1] in _UNITS:
        return _TENS[tokens[0]] + _UNITS[tokens[1]]
    return None
