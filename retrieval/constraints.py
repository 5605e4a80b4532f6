"""The question's constraints: what a text names that an answer must agree with.

A question may name places (provinces, regions, cities: retrieval/gazetteer.py; districts and
communes after `huyện`, `xã`, `город`...), countries, years (`năm 2018`, `в 2026 году`, `2021-2025`,
`từ 2025`), quarters (`quý II`, `I квартал`), numbered programs, projects and sub-projects
(`Chương trình 135`, `Dự án 5`, `ctr 30a`) and document numbers (`79/KH-UBND`, `Nghị định 80/2020`).
`read(text)` finds them, in a question or in a source, the same way; retrieval/constraint_check.py
checks a source against them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.text import fold_lower
from retrieval.gazetteer import NOT_PLACES, Entity, Gazetteer, gazetteer, key, tokens

OPEN = 9999
_YEAR = r"(19[5-9]\d|20[0-4]\d)"
_DOCNUM = re.compile(r"(?<![\w/])(\d{1,4})(?:/(\d{4}))?/([^\W\d_]{1,8}(?:-[^\W\d_]{1,10}){0,3})(?![\w/])")
_DOCNUM_NAMED = re.compile(
    r"\b(?:nghị định|nghi dinh|quyết định|quyet dinh|thông tư|thong tu|nghị quyết|nghi quyet|luật|luat|"
    r"kế hoạch|ke hoach|закон|постановлени\w*|приказ\w*|решени\w*)\s+(?:số\s+|so\s+|№\s*|no\.?\s*)?(\d{1,4})(?![\d/])",
    re.IGNORECASE)
_RANGE = re.compile(_YEAR + r"\s*(?:[-–—]|đến|den|tới|toi|по|до|to)\s*(?:năm\s+|nam\s+)?" + _YEAR)
_SINGLE = re.compile(r"(?<![\d.,/])" + _YEAR + r"(?![\d]|[.,]\d)|(?<=\d[/.]|[IV]/)" + _YEAR + r"(?!\d)")
_FROM = re.compile(r"(?:\btừ|\btu|\bkể từ|\bke tu|\bс|\bсо|\bот|\bsince|\bfrom|\bbắt đầu)\b[^.;\n]{0,24}$",
                   re.IGNORECASE)
_CODE = r"(\d{1,4}[a-zа-я]?)(?![\w/])"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(
    r"\b(?:quý|quy)\s+(iv|i{1,3}|[1-4])\b"
    r"|\b(iv|i{1,3}|[1-4])(?:-?(?:й|м|го|ом))?\s+квартал"
    r"|\bq([1-4])\b"
    r"|\b(first|second|third|fourth)\s+quarter", re.IGNORECASE)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_LOCALITY_WORDS = ("thi xa", "thi tran", "huyen", "quan", "xa", "phuong", "thon", "ban", "lang", "город", "село",
                   "поселок", "аул")
"""Words before the name of a district, commune or village the data file does not list."""
_RU_DISTRICT = re.compile(r"\b([А-ЯЁ][а-яё\-]+?ск)(?:ий|ого|ом|ому)\s+район", re.UNICODE)


@dataclass(frozen=True)
class DocNum:
    number: str
    year: str | None = None
    code: str | None = None

    def label(self) -> str:
        return "/".join(p for p in (self.number, self.year, self.code) if p)

    def agrees(self, other: DocNum) -> bool:
        return self.number == other.number and (not self.year or not other.year or self.year == other.year) and (
            not self.code or not other.code or fold_key(self.code) == fold_key(other.code))


@dataclass
class Facts:
    """What a text names (a question: what it asks about; a source: what it is about)."""

    places: list[Entity] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)
    programs: list[tuple[str, str]] = field(default_factory=list)
    """(kind, code): `("program", "135")`, `("project", "5")`, `("subproject", "3")`."""
    docnums: list[DocNum] = field(default_factory=list)
    named_programs: list[Entity] = field(default_factory=list)
    quarters: list[int] = field(default_factory=list)
    """Quarters of a year named (`quý II`, `I квартал`, `Q3`)."""
    orgs: list[Entity] = field(default_factory=list)
    localities: list[tuple[str, str, str]] = field(default_factory=list)
    """(kind word, folded name, as written) of districts, communes, villages not in the data file:
    `("huyen", "muonglat", "huyện Mường Lát")`."""

    @property
    def empty(self) -> bool:
        return not (self.places or self.countries or self.years or self.programs or self.docnums or self.quarters
                    or self.localities or self.orgs)

    def implied_countries(self, g: Gazetteer | None = None) -> list[str]:
        """Countries the text names, or whose places, programs or document codes it names."""
        g = g or gazetteer()
        out = list(self.countries) + [p.country for p in self.places] + [p.country for p in self.named_programs]
        out += [c for d in self.docnums if d.code and (c := g.code_country(d.code))]
        return list(dict.fromkeys(out))


def fold_key(text: str) -> str:
    """`text` folded, lowercased, without spaces: how names of places are compared (`Mường Lát` → `muonglat`)."""
    return fold_lower(text).replace(" ", "")


def years(text: str) -> list[tuple[int, int]]:
    """Periods a text names: a year (y, y), a range (a, b), from a date on (y, OPEN). Years inside
    document numbers (`80/2020/NĐ-CP`) are not periods."""
    clean = _DOCNUM.sub(lambda m: " " * len(m.group(0)), text)
    out: list[tuple[int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(clean):
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b:
            out.append((a, b))
            taken.append(m.span())
    for m in _SINGLE.finditer(clean):
        if any(s <= m.start() < e for s, e in taken):
            continue
        before = clean[max(0, m.start() - 6) : m.start()]
        if m.group(2) and not re.search(r"(?<![\d/.])\d{1,2}[/.]\d{1,2}[/.]$|[IV]/$", before):
            continue
        y = int(m.group(1) or m.group(2))
        opened = _FROM.search(clean[max(0, m.start() - 40) : m.start()])
        out.append((y, OPEN) if opened else (y, y))
    return list(dict.fromkeys(out))


def quarters(text: str) -> list[int]:
    out = []
    for m in _QUARTER.finditer(text):
        raw = (m.group(1) or m.group(2) or m.group(3) or "").lower()
        out.append(_ROMAN.get(raw) or _ORDINAL[(m.group(4) or "first").lower()])
    return list(dict.fromkeys(out))


_LOCALITY_PARTS = [(word, word.split()) for word in _LOCALITY_WORDS]
_LOCALITY_FIRST = {parts[0] for _, parts in _LOCALITY_PARTS}

def localities(text: str, g: Gazetteer | None = None) -> list[tuple[str, str, str]]:
    """Capitalized names after a locality word (`huyện Mường Lát`, `город Семей`) or before `район`
    (`Экибастузский район`) that are not places of the data file."""
    g = g or gazetteer()
    toks = tokens(text)
    keys = [fold_key(w) for w, _ in toks]  # each token folded once, not once per locality word
    out: list[tuple[str, str, str]] = []
    i = 0
    while i < len(toks):
        matched = None
        if keys[i] not in _LOCALITY_FIRST:
            i += 1
            continue
        for word, parts in _LOCALITY_PARTS:
            if keys[i : i + len(parts)] == parts and (toks[i][0][:1].islower() or i == 0):
                matched = (word, len(parts))
                break
        if matched is None:
            i += 1
            continue
        word, n = matched
        name: list[str] = []
        j = i + n
        while j < len(toks) and len(name) < 3 and toks[j][0][:1].isupper():
            name.append(toks[j][0])
            j += 1
        if name and not g.find(" ".join(name)):
            out.append((word, fold_key(" ".join(name)), text[toks[i][1] : toks[j - 1][1] + len(toks[j - 1][0])]))
        i = max(j, i + 1)
    out += [("район", fold_key(m.group(1)), m.group(0)) for m in _RU_DISTRICT.finditer(text) if not g.find(m.group(0))]
    return list(dict.fromkeys(out))


def docnums(text: str) -> list[DocNum]:
    out = [DocNum(m.group(1), m.group(2), m.group(3)) for m in _DOCNUM.finditer(text)]
    out += [DocNum(m.group(1)) for m in _DOCNUM_NAMED.finditer(text)]
    return list(dict.fromkeys(out))


def programs(text: str, g: Gazetteer | None = None) -> list[tuple[str, str]]:
    """Numbered programs, projects, sub-projects: a program word followed by a number or code."""
    g = g or gazetteer()
    toks = tokens(text)
    keys = [key(w) for w, _ in toks]
    out: list[tuple[str, str]] = []
    for kind in ("subproject", "project", "program"):
        for phrase in g.program_words.get(kind, ()):
            pk = [key(w) for w, _ in tokens(phrase)]
            n = len(pk)
            for i in range(len(toks) - n):
                if keys[i : i + n] == pk and re.fullmatch(_CODE, toks[i + n][0].lower()):
                    if kind == "project" and i > 0 and keys[i - 1] in ("tieu", "под"):
                        continue
                    out.append((kind, toks[i + n][0].lower()))
    return list(dict.fromkeys(out))


def read(text: str, g: Gazetteer | None = None) -> Facts:
    g = g or gazetteer()
    found = g.find(text)
    return Facts(
        places=_unique(f.entity for f in found if f.entity.kind not in NOT_PLACES),
        countries=list(dict.fromkeys(f.entity.id for f in found if f.entity.kind == "country")),
        years=years(text),
        programs=programs(text, g),
        docnums=docnums(text),
        named_programs=_unique(f.entity for f in found if f.entity.kind == "program"),
        quarters=quarters(text),
        localities=localities(text, g),
        orgs=_unique(f.entity for f in found if f.entity.kind == "org"),
    )


def _unique(entities: Iterable[Entity]) -> list[Entity]:
    return list({e.id: e for e in entities}.values())
