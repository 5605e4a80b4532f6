"""Whether an answer's source agrees with each constraint of the question (retrieval/constraints.py).

`vet` checks an answer from the most specific evidence to the least: the answer's sentences, then
its passage when that names a single value, then the document (its `region` metadata, its title,
the place it is mostly about, its country). The first level that names a value of the
constraint's kind decides: it agrees (the value, or a place inside it / containing it; a year
inside a stated period, or after a `from` date) or it contradicts (a `Mismatch`: what was asked,
what the source is about instead). Nothing named anywhere: no objection (a national rule applies
to every province).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.jsontypes import JSONDict
from retrieval.constraints import OPEN, DocNum, Facts, docnums, fold_key, programs, read
from retrieval.gazetteer import NOT_PLACES, Entity, Gazetteer, gazetteer


@dataclass(frozen=True)
class Mismatch:
    kind: str
    """`place`, `country`, `year`, `program` or `document`."""
    asked: str
    found: str | None

    def to_json(self) -> JSONDict:
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


def doc_facts(title: str, text: str, region: str | None, g: Gazetteer | None = None) -> DocFacts:
    """A document's country and scope: from `region` when set (`KZ-Pavlodar`), else from its title,
    else from the place it names in most of its mentions (a seed article about Sơn La)."""
    g = g or gazetteer()
    country, scope = g.region(region)
    body = g.find(f"{title}\n{text}")
    places = [f.entity for f in body if f.entity.kind not in NOT_PLACES]
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
            if f.entity.kind not in ("program", "org"):
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
    """Some period asked lies within a period the source states (a year in `2022-2025`, `2026`
    after `from 2025`); `2020-2025` is not within `2022-2025`."""
    return any(f0 <= a0 and a1 <= f1 for a0, a1 in asked for f0, f1 in found)


def vet(asked: Facts, src: Source, lang: str, g: Gazetteer | None = None) -> Mismatch | None:
    """The first constraint of `asked` that the source contradicts, else None."""
    g = g or gazetteer()
    if asked.empty:
        return None
    sent, passage = read(src.sentence, g), read(src.passage, g)
    return (_country(asked, sent, passage, src.doc, lang, g) or _place(asked, sent, passage, src.doc, lang, g)
            or _locality(asked, src, sent, passage)
            or _year(asked, sent, passage) or _quarter(asked, sent, passage)
            or _program(asked, sent, passage, src.doc) or _org(asked, sent, src.doc, lang)
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
        if not agrees(level):
            return Mismatch("place", asked_label, level[0].label(lang))
        others = [f for f in level if not any(a.contains(f) for a in asked.places)]
        for a in asked.places:  # `tỉnh Trà Vinh ... Hà Nội` answered by `tỉnh Sơn La ... Hà Nội`
            if others and not any(a.contains(f) for f in level) and a.id not in doc.mentions:
                return Mismatch("place", a.label(lang), others[0].label(lang))
        return None
    countries = {a.country for a in asked.places}
    if doc.country is not None and doc.country not in countries:
        return Mismatch("place", asked_label, _label(doc.country, lang, g))
    return None


def _locality(asked: Facts, src: Source, sent: Facts, passage: Facts) -> Mismatch | None:
    """A district or commune the data file does not know: the source must not be about another one
    of the same kind (`huyện A` asked, `huyện B` answered); a national rule still applies to it."""
    for kind, name, label in asked.localities:
        if name in fold_key(f"{src.sentence} {src.passage}"):
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


def _org(asked: Facts, sent: Facts, doc: DocFacts, lang: str) -> Mismatch | None:
    """An organisation asked about must be named by the document; an answer sentence naming
    another organisation of the data file while the document never names the asked one is a
    mismatch."""
    for o in asked.orgs:
        if o.id in doc.mentions:
            continue
        other = [f for f in sent.orgs if f.id != o.id]
        if other:
            return Mismatch("organisation", o.label(lang), other[0].label(lang))
    return None


def affirms(asked: Facts, src: Source, kind: str, g: Gazetteer | None = None) -> bool:
    """The source positively names what was asked for `kind` (not merely names nothing against
    it): a fallback answer must do so to replace one that contradicted the question."""
    g = g or gazetteer()
    near = read(f"{src.sentence}\n{src.passage}", g)
    doc = src.doc
    if kind == "place":
        places = near.places + doc.scope
        return any(a.contains(f) for a in asked.places for f in places) or any(
            name in fold_key(f"{src.sentence} {src.passage}") for _, name, _ in asked.localities)
    if kind == "year":
        return _meets(asked.years, near.years)
    if kind == "quarter":
        return bool(set(asked.quarters) & set(near.quarters))
    if kind == "program":
        return all(p in near.programs + doc.programs for p in asked.programs)
    if kind == "document":
        return all(any(d.agrees(f) for f in doc.docnums) for d in asked.docnums)
    if kind == "country":
        return doc.country in asked.countries or bool(set(asked.countries) & set(near.countries))
    if kind == "organisation":
        return all(o.id in doc.mentions for o in asked.orgs)
    return False
