"""Names of places, countries and programs found in a text, from the data file `data/places.yaml`.

Matching is token by token, longest name first: Latin words compare folded and lowercased
(`ha giang` = `Hà Giang`), but a word typed with diacritics must carry the name's own (`Hà Nam`
≠ `hả nam`); Cyrillic words compare by their Snowball stem (`Карагандинской` = `Карагандинская`,
`Павлодаре` = `Павлодар`; one typo allowed in stems of 6 letters or more), short stems (under 4
letters) by the whole word. A one-word name with diacritics (`Lào`, `Nga`) typed without them is a
name only after an administrative word (`o lao`), never in a text typed with diacritics (`lao động`). A name marked
`ambiguous` (also a common word: `Hòa Bình` = peace, `Pháp` in `pháp luật`) counts only when it is
capitalized or follows an administrative word (`tỉnh`, `nước`, `область`...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

from knowledge.jsontypes import as_object
from knowledge.text import fold_lower, is_cyrillic, nfc, russian_stem, word_offsets

DATA = Path(__file__).parent / "data" / "places.yaml"
NOT_PLACES = ("country", "program", "org")


@dataclass(frozen=True)
class Entity:
    """A place (`province`, `region`, `city`), a `country`, a named `program` or an `org`."""

    id: str
    kind: str
    country: str
    names: dict[str, tuple[str, ...]] = field(hash=False, compare=False)
    parent: str | None = None
    merged_into: str | None = None
    ambiguous: str = ""
    """`always` (`Pháp`: also in `pháp luật`): a name only after an administrative word or
    capitalized; `cased` (`Bình Định`): the same in a cased text, while a text typed all in lowercase
    counts it (short questions rarely use the common word)."""

    def label(self, lang: str) -> str:
        """The name shown to a reader of `lang` (its first listed name)."""
        for key in (lang, "en", "vi", "ru"):
            if self.names.get(key):
                return self.names[key][0]
        return self.id

    def contains(self, other: Entity) -> bool:
        """Same place, or one is inside the other (a regional centre in its region)."""
        return self.id == other.id or other.parent == self.id or self.parent == other.id


@dataclass(frozen=True)
class Found:
    entity: Entity
    start: int
    """Character offset of the name in the text."""
    end: int = 0
    """Offset just after the name."""


@lru_cache(maxsize=200_000)
def key(word: str) -> str:
    """The comparable form of one word (see the module doc)."""
    if is_cyrillic(word):
        return russian_stem(word.lower(), min_len=4)
    return fold_lower(word)


def _bucket(k: str) -> str:
    return k[:2] if is_cyrillic(k) else k


def _same(text_key: str, name_key: str) -> bool:
    """Equal keys; for Russian, also stems one or two letters apart at the end (the stemmer cuts
    proper names unevenly: `Вьетнам` → `вьетн`, `Вьетнама` → `вьетнам`)."""
    if text_key == name_key:
        return True
    if not is_cyrillic(text_key) or min(len(text_key), len(name_key)) < 4:
        return False
    short, long_ = sorted((text_key, name_key), key=len)
    return long_.startswith(short) and len(long_) - len(short) <= 2


def _typo_form(word: str, spellings: list[str]) -> bool:
    """A Russian word that is a name of 6+ letters with one typo and a case ending of up to two
    letters (`вььетнама`, `вьетгаме` for `Вьетнам`)."""
    if not is_cyrillic(word):
        return False
    low = fold_lower(word)
    for name in spellings:
        n = fold_lower(name)
        if len(n) >= 6 and any(_one_typo(low[:cut], n) and len(low) - cut <= 2
                               for cut in (len(n) - 1, len(n), len(n) + 1) if cut <= len(low)):
            return True
    return False


def _one_typo(a: str, b: str) -> bool:
    """One letter inserted, dropped or replaced (`вььетнам`, `вьетгам` for `вьетнам`)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _marked(word: str) -> bool:
    return not is_cyrillic(word) and fold_lower(word) != word.lower()


def tokens(text: str) -> list[tuple[str, int]]:
    """(word, offset) pairs of `text` (NFC)."""
    return word_offsets(nfc(text))


def _split(names: object) -> tuple[str, ...]:
    if not names:
        return ()
    if isinstance(names, list):
        return tuple(str(n).strip() for n in names if str(n).strip())
    return tuple(n.strip() for n in str(names).split("|") if n.strip())


class Gazetteer:
    def __init__(self, entities: Iterable[Entity], admin_words: Iterable[str],
                 program_words: dict[str, tuple[str, ...]], document_codes: dict[str, tuple[str, ...]]) -> None:
        self.entities = {e.id: e for e in entities}
        self.admin = frozenset(key(w) for phrase in admin_words for w, _ in tokens(phrase))
        self.program_words = program_words
        self.document_codes = document_codes
        variants: dict[tuple[tuple[str, ...], str], list[tuple[str, ...]]] = {}
        for e in self.entities.values():
            for lang_names in e.names.values():
                for name in lang_names:
                    words = tuple(w for w, _ in tokens(name))
                    if words:
                        variants.setdefault((tuple(key(w) for w in words), e.id), []).append(words)
        self._index: dict[str, list[tuple[tuple[str, ...], list[tuple[str, ...]], Entity]]] = {}
        for (keys, eid), spellings in variants.items():
            self._index.setdefault(_bucket(keys[0]), []).append((keys, spellings, self.entities[eid]))
        for entries in self._index.values():
            entries.sort(key=lambda x: -len(x[0]))

    @classmethod
    def load(cls, path: Path = DATA) -> Gazetteer:
        data = as_object(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, str(path))
        entities: list[Entity] = []
        for cid, row in _rows(data, "countries").items():
            entities.append(Entity(cid, "country", cid, _names(row), ambiguous=_ambiguity(row)))
        for pid, row in _rows(data, "places").items():
            entities.append(Entity(pid, str(row.get("kind", "place")), str(row["country"]), _names(row),
                                   _optional(row.get("parent")), _optional(row.get("merged_into")), _ambiguity(row)))
        for pid, row in _rows(data, "programs").items():
            entities.append(Entity(pid, "program", str(row["country"]), _names(row)))
        for oid, row in _rows(data, "organisations").items():
            entities.append(Entity(oid, "org", str(row["country"]), _names(row)))
        admin = [w for v in _section(data, "admin_words").values() for w in _split(v)]
        words = {k: _split(v) for k, v in _section(data, "program_words").items()}
        codes = {k: _split(v) for k, v in _section(data, "document_codes").items()}
        return cls(entities, admin, words, codes)

    def find(self, text: str, kinds: Iterable[str] | None = None) -> list[Found]:
        """Every name in `text`, longest match first, in text order."""
        wanted = frozenset(kinds) if kinds is not None else None
        toks = tokens(text)
        keys = [key(w) for w, _ in toks]
        cased = any(w[:1].isupper() for w, _ in toks[1:])
        marked = any(_marked(w) for w, _ in toks)
        out: list[Found] = []
        i = 0
        while i < len(toks):
            match = None
            for name_keys, spellings, entity in self._index.get(_bucket(keys[i]), ()):
                n = len(name_keys)
                if len(keys) < i + n or not all(
                        _same(keys[i + j], name_keys[j]) or _typo_form(toks[i + j][0], [s[j] for s in spellings])
                        for j in range(n)):
                    continue
                if not all(_agrees(toks[i + j][0], [s[j] for s in spellings]) for j in range(n)):
                    continue
                folded = n == 1 and not _marked(toks[i][0]) and all(_marked(s[0]) for s in spellings)
                if folded and marked:
                    continue  # `lao` in a text typed with diacritics is not `Lào`
                lenient = entity.ambiguous == "cased" and not cased and not folded
                if (entity.ambiguous or folded) and not lenient and not self._anchored(toks, keys, i, cased):
                    continue  # `lao dong` typed without diacritics is not Laos either
                match = (n, entity)
                break
            if match is None:
                i += 1
                continue
            n, entity = match
            if wanted is None or entity.kind in wanted:
                last = toks[i + n - 1]
                out.append(Found(entity, toks[i][1], last[1] + len(last[0])))
            i += n
        return out

    def _anchored(self, toks: list[tuple[str, int]], keys: list[str], i: int, cased: bool) -> bool:
        """An ambiguous name counts after an administrative word, or capitalized in a cased text."""
        if i > 0 and keys[i - 1] in self.admin:
            return True
        return cased and toks[i][0][:1].isupper() and i > 0

    def places(self, text: str) -> list[Entity]:
        return _unique(f.entity for f in self.find(text) if f.entity.kind not in NOT_PLACES)

    def countries(self, text: str) -> list[str]:
        return list(dict.fromkeys(f.entity.id for f in self.find(text, ("country",))))

    def programs(self, text: str) -> list[Entity]:
        return _unique(f.entity for f in self.find(text, ("program",)))

    def region(self, region: str | None) -> tuple[str | None, list[Entity]]:
        """(country code, places) of a document's `region` metadata: `KZ-Pavlodar` → KZ, [Pavlodar]."""
        if not region:
            return None, []
        head, _, rest = region.strip().partition("-")
        code = head.upper()
        country = code if code in self.entities and self.entities[code].kind == "country" else None
        places = self.places(rest.replace("_", " ")) if rest else []
        if country is None:
            places = self.places(region)
            country = places[0].country if places else None
        return country, [p for p in places if country is None or p.country == country]

    def code_country(self, code: str) -> str | None:
        """The country whose document numbers use `code` (`NĐ-CP` → VN)."""
        folded = fold_lower(code).replace(" ", "")
        for country, codes in self.document_codes.items():
            if any(fold_lower(c) == folded for c in codes):
                return country
        return None


def _section(data: Mapping[str, object], name: str) -> dict[str, object]:
    """The mapping under `name` in the data file (empty when absent)."""
    return as_object(data.get(name) or {}, name)


def _rows(data: Mapping[str, object], name: str) -> dict[str, dict[str, object]]:
    """The entries of a section of entities: id → its fields."""
    return {k: as_object(v, f"{name}.{k}") for k, v in _section(data, name).items()}


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _ambiguity(row: Mapping[str, object]) -> str:
    value = row.get("ambiguous")
    return "cased" if value == "cased" else ("always" if value else "")


def _names(row: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    return {lang: _split(row.get(lang)) for lang in ("vi", "ru", "en") if row.get(lang)}


def _agrees(word: str, spellings: list[str]) -> bool:
    """A word typed with diacritics must carry the name's (any spelling listed in the data), when
    the name has a spelling with diacritics at all."""
    marked = [s for s in spellings if _marked(s)]
    if not _marked(word) or not marked:
        return True
    low = nfc(word).lower()
    return any(nfc(s).lower() == low for s in marked)


def _unique(entities: Iterable[Entity]) -> list[Entity]:
    return list({e.id: e for e in entities}.values())


@cache
def gazetteer() -> Gazetteer:
    """The shipped data file, loaded once."""
    return Gazetteer.load()
