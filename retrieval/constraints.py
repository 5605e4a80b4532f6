"""The hard constraints of a question, and whether an answer's source agrees with each of them.

A question may name places (provinces, regions, cities: retrieval/gazetteer.py), countries, years
(`năm 2018`, `в 2026 году`, `2021-2025`, `từ 2025`), numbered programs, projects and sub-projects
(`Chương trình 135`, `Dự án 5`, `ctr 30a`) and document numbers (`79/KH-UBND`, `Nghị định 80/2020`).
`read(text)` finds them, in a question or in a source, the same way.

`vet` checks an answer against them, from the most specific evidence to the least: the answer's
sentences, then its passage when that names a single value, then the document (its `region`
metadata, its title, the place it is mostly about, its country). The first level that names a value
of the constraint's kind decides: it agrees (the value, or a place inside it / containing it; a year
inside a stated period, or after a `from` date) or it contradicts (a `Mismatch`: what was asked,
what the source is about instead). Nothing named anywhere: no objection (a national rule applies
to every province).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.gazetteer import Entity, Gazetteer, gazetteer, key, tokens

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
            not self.code or not other.code or _plain(self.code) == _plain(other.code))


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
    localities: list[tuple[str, str, str]] = field(default_factory=list)
    """(kind word, folded name, as written) of districts, communes, villages not in the data file:
    `("huyen", "muonglat", "huyện Mường Lát")`."""

    @property
    def empty(self) -> bool:
        return not (self.places or self.countries or self.years or self.programs or self.docnums or self.quarters
                    or self.localities)

    def implied_countries(self, g: Gazetteer | None = None) -> list[str]:
        """Countries the text names, or whose places, programs or document codes it names."""
        g = g or gazetteer()
        out = list(self.countries) + [p.country for p in self.places] + [p.country for p in self.named_programs]
        out += [c for d in self.docnums if d.code and (c := g.code_country(d.code))]
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Mismatch:
    kind: str
    """`place`, `country`, `year`, `program` or `document`."""
    asked: str
    found: str | None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "asked": self.asked, "found": self.found}


@dataclass
class Source:
    """The evidence about one answer: its sentences, its passage, its document."""

    sentence: str
    passage: str
    doc: DocFacts


@dataclass
class DocFacts:
    """What a whole document is about: its scope (region metadata, else title and main place)."""

    country: str | None
    scope: list[Entity]
    programs: list[tuple[str, str]]
    docnums: list[DocNum]
    mentions: set[str] = field(default_factory=set)
    """Every country and place id the document names anywhere."""


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace(" ", "")


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


def localities(text: str, g: Gazetteer | None = None) -> list[tuple[str, str, str]]:
    """Capitalized names after a locality word (`huyện Mường Lát`, `город Семей`) or before `район`
    (`Экибастузский район`) that are not places of the data file."""
    g = g or gazetteer()
    toks = tokens(text)
    out: list[tuple[str, str, str]] = []
    i = 0
    while i < len(toks):
        matched = None
        for word in _LOCALITY_WORDS:
            parts = word.split()
            if [_plain(w) for w, _ in toks[i : i + len(parts)]] == parts and (
                    toks[i][0][:1].islower() or i == 0):
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
            out.append((word, _plain(" ".join(name)), text[toks[i][1] : toks[j - 1][1] + len(toks[j - 1][0])]))
        i = max(j, i + 1)
    out += [("район", _plain(m.group(1)), m.group(0)) for m in _RU_DISTRICT.finditer(text) if not g.find(m.group(0))]
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
        places=_unique(f.entity for f in found if f.entity.kind not in ("country", "program")),
        countries=list(dict.fromkeys(f.entity.id for f in found if f.entity.kind == "country")),
        years=years(text),
        programs=programs(text, g),
        docnums=docnums(text),
        named_programs=_unique(f.entity for f in found if f.entity.kind == "program"),
        quarters=quarters(text),
        localities=localities(text, g),
    )


def doc_facts(title: str, text: str, region: str | None, g: Gazetteer | None = None) -> DocFacts:
    """A document's country and scope: from `region` when set (`KZ-Pavlodar`), else from its title,
    else from the place it names in most of its mentions (a seed article about Sơn La)."""
    g = g or gazetteer()
    country, scope = g.region(region)
    body = g.find(f"{title}\n{text}")
    places = [f.entity for f in body if f.entity.kind not in ("country", "program")]
    if not scope:
        scope = [p for p in g.places(title) if country is None or p.country == country]
    if not scope and places and (country is None or region is None):
        counts: dict[str, int] = {}
        for p in places:
            counts[p.id] = counts.get(p.id, 0) + 1
        top = max(counts, key=lambda k: counts[k])
        if counts[top] * 2 > len(places):
            scope = [g.entities[top]]
    if country is None:
        votes: dict[str, int] = {}
        for f in body:
            if f.entity.kind != "program":
                votes[f.entity.country] = votes.get(f.entity.country, 0) + 1
        if votes:
            best = max(votes, key=lambda k: votes[k])
            country = best if votes[best] * 2 > sum(votes.values()) else None
    full = f"{title}\n{text}"
    return DocFacts(country, scope, programs(full, g), docnums(full),
                    {f.entity.id for f in body} | {f.entity.country for f in body})


def _label(e: Entity | str, lang: str, g: Gazetteer) -> str:
    if isinstance(e, str):
        return g.entities[e].label(lang) if e in g.entities else e
    return e.label(lang)


def _year_label(span: tuple[int, int]) -> str:
    a, b = span
    return str(a) if a == b else (f"{a}+" if b == OPEN else f"{a}–{b}")


def _meets(asked: Sequence[tuple[int, int]], found: Sequence[tuple[int, int]]) -> bool:
    return any(a0 <= f1 and f0 <= a1 for a0, a1 in asked for f0, f1 in found)


def vet(asked: Facts, src: Source, lang: str, g: Gazetteer | None = None) -> Mismatch | None:
    """The first constraint of `asked` that the source contradicts, else None."""
    g = g or gazetteer()
    if asked.empty:
        return None
    sent, passage = read(src.sentence, g), read(src.passage, g)
    return (_country(asked, sent, passage, src.doc, lang, g) or _place(asked, sent, passage, src.doc, lang, g)
            or _locality(asked, src, sent, passage)
            or _year(asked, sent, passage) or _quarter(asked, sent, passage)
            or _program(asked, sent, passage, src.doc)
            or _docnum(asked, sent, src.doc))


def _country(asked: Facts, sent: Facts, passage: Facts, doc: DocFacts, lang: str, g: Gazetteer) -> Mismatch | None:
    wanted = set(asked.countries)
    if not wanted or doc.country is None or doc.country in wanted:
        return None
    if wanted & (set(sent.countries) | set(passage.countries)):
        return None
    return Mismatch("country", _label(asked.countries[0], lang, g), _label(doc.country, lang, g))


def _place(asked: Facts, sent: Facts, passage: Facts, doc: DocFacts, lang: str, g: Gazetteer) -> Mismatch | None:
    if not asked.places:
        return None

    def agrees(found: Sequence[Entity]) -> bool:
        return any(a.contains(f) for a in asked.places for f in found)

    asked_label = asked.places[0].label(lang)
    for level in (sent.places, _single(passage.places), doc.scope):
        if not level:
            continue
        if agrees(level):
            return None
        return Mismatch("place", asked_label, level[0].label(lang))
    countries = {a.country for a in asked.places}
    if doc.country is not None and doc.country not in countries:
        return Mismatch("place", asked_label, _label(doc.country, lang, g))
    return None


def _locality(asked: Facts, src: Source, sent: Facts, passage: Facts) -> Mismatch | None:
    """A district or commune the data file does not know: the source must not be about another one
    of the same kind (`huyện A` asked, `huyện B` answered); a national rule still applies to it."""
    for kind, name, label in asked.localities:
        if name in _plain(f"{src.sentence} {src.passage}"):
            return None
        for level in (sent.localities, passage.localities if len(passage.localities) == 1 else []):
            other = [written for k, _, written in level if k == kind]
            if other:
                return Mismatch("place", label, other[0])
    return None


def _single(places: Sequence[Entity]) -> list[Entity]:
    """A passage's places when it names one place only (else they are examples, not its scope)."""
    return list(places) if len({p.parent or p.id for p in places}) == 1 else []


def _year(asked: Facts, sent: Facts, passage: Facts) -> Mismatch | None:
    if not asked.years:
        return None
    for level in (sent.years, passage.years if len(set(passage.years)) == 1 else []):
        if not level:
            continue
        if _meets(asked.years, level):
            return None
        return Mismatch("year", _year_label(asked.years[0]), _year_label(level[0]))
    return None


def _quarter(asked: Facts, sent: Facts, passage: Facts) -> Mismatch | None:
    if not asked.quarters:
        return None
    for level in (sent.quarters, passage.quarters if len(passage.quarters) == 1 else []):
        if level:
            if set(level) & set(asked.quarters):
                return None
            return Mismatch("quarter", _QUARTER_LABEL[asked.quarters[0]], _QUARTER_LABEL[level[0]])
    return None


_QUARTER_LABEL = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _program(asked: Facts, sent: Facts, passage: Facts, doc: DocFacts) -> Mismatch | None:
    for kind, code in asked.programs:
        for level in (sent.programs, passage.programs, doc.programs):
            same = [c for k, c in level if k == kind]
            if not same:
                continue
            if code in same:
                break
            return Mismatch("program", f"{kind} {code}", f"{kind} {same[0]}")
    return None


def _docnum(asked: Facts, sent: Facts, doc: DocFacts) -> Mismatch | None:
    for d in asked.docnums:
        if any(d.agrees(f) for f in doc.docnums):
            continue
        other = sent.docnums or doc.docnums
        return Mismatch("document", d.label(), other[0].label() if other else None)
    return None


def _unique(entities: Any) -> list[Entity]:
    return list({e.id: e for e in entities}.values())
