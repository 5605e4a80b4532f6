"""Typed numbers as people write them, in Vietnamese and Russian (pure functions).

    parse_amount("1,5 triệu") == parse_amount("1.500.000đ") == parse_amount("1tr5") == 1500000
    parse_amount("2 triệu rưỡi") == 2500000;  parse_amount("35 000 тг") == parse_amount("35к") == 35000

Separators: a single `.` or `,` followed by exactly three digits is a thousands separator when no
unit word follows ("1.500" = 1500) and *ambiguous* before a unit word ("1.500 triệu": 1.5 million
or 1.5 billion?) — ambiguous or unreadable input raises :class:`NumberParseError` so the chat
asks again; nothing is guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from knowledge.errors import ValidationError
from knowledge.text import nfc


class NumberParseError(ValidationError):
    """The text is not a number we can read without guessing."""


MULTIPLIERS: dict[str, int] = {
    **dict.fromkeys(("k", "к", "nghìn", "nghin", "ngàn", "ngan", "ng", "thousand", "тыс", "тыс.", "тысяч",
                     "тысячи", "тысяча", "т.", "тыщ"), 1_000),
    **dict.fromkeys(("tr", "triệu", "trieu", "củ", "m", "mln", "million", "млн", "млн.", "миллион",
                     "миллиона", "миллионов", "лям"), 1_000_000),
    **dict.fromkeys(("tỷ", "tỉ", "ty", "ti", "billion", "млрд", "млрд.", "миллиард", "миллиарда"), 1_000_000_000),
}
HALF_WORDS = {"rưỡi", "ruoi", "с половиной"}
CURRENCY_WORDS = {"đ", "₫", "d", "vnd", "vnđ", "đồng", "dong", "тг", "тг.", "тенге", "₸", "kzt", "tenge", "tg"}
NUMBER_WORDS = {"полтора": Decimal("1.5"), "полторы": Decimal("1.5")}
PREFIX = re.compile(r"^(khoảng|khoang|tầm|tam|chừng|около|примерно|где-то|~|≈)\s*")
TOKEN = re.compile(r"\d[\d.,\s]*\d|\d|с половиной|[^\W\d_]+\.?|[₫₸~]|\S")
COUNT_WORDS: dict[str, int] = {
    "không": 0, "khong": 0, "không có": 0, "nobody": 0, "none": 0, "no": 0, "нет": 0, "ни одного": 0,
    "một": 1, "mot": 1, "hai": 2, "ba": 3, "bốn": 4, "bon": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
    "chín": 9, "mười": 10, "один": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10,
}
YES = {"yes", "y", "true", "1", "có", "co", "có ạ", "đúng", "dung", "phải", "phai", "ừ", "да", "д", "ага", "верно"}
NO = {"no", "n", "false", "0", "không", "khong", "ko", "k", "chưa", "chua", "sai", "нет", "н", "неверно"}


def _clean(text: str) -> str:
    text = nfc(text).lower()
    text = re.sub(r"[\u00a0\u2007\u202f\u2009]", " ", text)
    return " ".join(text.split())


def parse_amount(text: str) -> Decimal:
    """An amount of money (or any non-negative quantity) typed freely → Decimal."""
    from knowledge.eligibility.periods import split_period

    original = text
    text = PREFIX.sub("", split_period(_clean(text))[0])
    tokens = [t.strip() for t in TOKEN.findall(text)]
    while tokens and tokens[-1] in CURRENCY_WORDS:
        tokens.pop()
    while tokens and tokens[0] in CURRENCY_WORDS:
        tokens.pop(0)
    if not tokens:
        raise _error(original)
    total = Decimal(0)
    last_mult: int | None = None
    i = 0
    while i < len(tokens):
        value, i = _segment_number(tokens, i, original)
        mult = MULTIPLIERS.get(tokens[i]) if i < len(tokens) else None
        if mult is None:
            if last_mult is not None or i < len(tokens):
                raise _error(original)
            return _whole(value.amount)
        if last_mult is not None and mult >= last_mult:
            raise _error(original)
        if value.ambiguous:
            raise _error(original)
        amount = value.amount * mult
        i += 1
        if i < len(tokens) and tokens[i] in HALF_WORDS:
            amount += Decimal(mult) / 2
            i += 1
        elif _is_fraction_digits(tokens, i) and value.amount == value.amount.to_integral_value():
            amount += Decimal("0." + tokens[i]) * mult
            i += 1
        total += amount
        last_mult = mult
    return _whole(total)


class _Num:
    def __init__(self, amount: Decimal, ambiguous: bool = False) -> None:
        self.amount = amount
        self.ambiguous = ambiguous


def _segment_number(tokens: list[str], i: int, original: str) -> tuple[_Num, int]:
    tok = tokens[i]
    if tok in NUMBER_WORDS:
        return _Num(NUMBER_WORDS[tok]), i + 1
    if not tok[0].isdigit():
        raise _error(original)
    return _read_digits(tok, original), i + 1


def _is_fraction_digits(tokens: list[str], i: int) -> bool:
    """`1tr5`, `2 triệu 25`: bare digits right after a unit word, at the end."""
    return i == len(tokens) - 1 and tokens[i].isdigit() and len(tokens[i]) <= 6


def _read_digits(tok: str, original: str) -> _Num:
    if " " in tok:
        match = re.fullmatch(r"([\d ]+?)(?:[.,](\d{1,2}))?", tok)
        groups = match.group(1).split(" ") if match else []
        if not groups or not _grouped(groups):
            raise _error(original)
        frac = match.group(2) if match else None
        return _Num(Decimal("".join(groups) + (f".{frac}" if frac else "")))
    seps = [c for c in tok if c in ".,"]
    if not seps:
        return _Num(Decimal(tok))
    if "." in seps and "," in seps:
        dec = tok[max(tok.rfind("."), tok.rfind(","))]
        grp = "," if dec == "." else "."
        head, _, frac = tok.rpartition(dec)
        if grp in frac or not _grouped(head.split(grp)) or not frac.isdigit():
            raise _error(original)
        return _Num(Decimal(head.replace(grp, "") + "." + frac))
    sep = seps[0]
    parts = tok.split(sep)
    if len(parts) > 2:
        if not _grouped(parts):
            raise _error(original)
        return _Num(Decimal("".join(parts)))
    head, frac = parts
    if len(frac) == 3:
        if len(head) > 3:
            raise _error(original)
        # "1.500" is 1500 on its own, but ambiguous before a unit word ("1.500 triệu")
        return _Num(Decimal(head + frac), ambiguous=True)
    return _Num(Decimal(head + "." + frac))


def _grouped(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and all(g.isdigit() for g in groups)


def _whole(value: Decimal) -> Decimal:
    try:
        normalized = value.normalize()
    except InvalidOperation:  # pragma: no cover - Decimal from digits is always valid
        raise _error(str(value)) from None
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral_value() else normalized


def parse_count(text: str) -> int:
    """A whole number of people: "4", "4 người", "3 человека", "hai", "нет" (= 0)."""
    cleaned = _clean(text).rstrip(".")
    if cleaned in COUNT_WORDS:
        return COUNT_WORDS[cleaned]
    match = re.fullmatch(r"(\d{1,4})(\s*[^\W\d_]+\.?)*", cleaned)
    if match is None:
        head = cleaned.split(" ", 1)[0]
        if head in COUNT_WORDS and re.fullmatch(r"[^\W\d_ ]+( [^\W\d_]+)*", cleaned):
            return COUNT_WORDS[head]
        raise NumberParseError("eligibility.bad_count", message="not a whole number: {text}", text=text)
    return int(match.group(1))


def parse_yes_no(text: str) -> bool:
    cleaned = _clean(text).strip(".!")
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    raise NumberParseError("eligibility.bad_yes_no", message="not yes or no: {text}", text=text)


def _error(text: str) -> NumberParseError:
    return NumberParseError("eligibility.bad_number", message="not a number we can read: {text}", text=text)
