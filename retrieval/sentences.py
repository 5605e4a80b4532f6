"""Sentences and words for extractive answering (Vietnamese and Russian), on the text toolkit
(knowledge/text: splitting, folding, stemming, tokens).

- `passage_sentences`: a passage's sentences, over-long ones cut at `;` / `:` (SENTENCE_CHARS);
- `content_terms`: the comparable words of a text: lowercased, diacritics folded (`hộ nghèo` and
  `ho ngheo` match), Vietnamese chat abbreviations expanded (`ko`, `dc`, `j`), Russian words stemmed,
  numbers normalized (`1.500.000` = `1,500,000` = `1500000`), stop words dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.text import Span, fold_lower, is_cyrillic, nfc, russian_stem, split_sentences, terms
from retrieval.analyzers import VI_ABBREVIATIONS
from retrieval.synonyms import content_map

SENTENCE_CHARS = 400
"""A sentence longer than this is cut at `;` (else `:`) so an answer can quote the relevant part."""


def passage_sentences(text: str) -> list[Span]:
    """The sentences of a passage as answering reads them (and sentvec embeds them)."""
    return split_sentences(text, SENTENCE_CHARS)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VI_CHAT = {**{k: " ".join(fold_lower(w) for w in v.split()) for k, v in VI_ABBREVIATIONS.items()},
            **{k: " ".join(fold_lower(w) for w in v.split()) for k, v in content_map().items()}}
"""Abbreviations, teencode, colloquial forms and misspellings (vi and ru) → the words they stand for,
from retrieval/synonyms/{vi,ru}.tsv (applied to questions and documents alike)."""
_RU_CHAT: dict[str, str] = {}

_VI_STOP = _wordset(
    """
    la cua va co cac nhung mot duoc khong gi nao bao nhieu the thi ma de cho voi trong tren tai tu den
    nay do kia ay nhu sao bi boi khi ve ra vao se da dang con hay hoac neu vi nen cung rat lam toi minh
    ban anh chi em oi a nhe nha vay day ai o o' theo sau truoc duoi nhat hon moi tat ca cai chiec nguoi
    biet muon hoi xin cam on giup can phai co the khong ha u uh uhm ne dau nhieu it
    """
)
_VI_STOP_MARKED = _wordset(
    """
    là của và có các những một được không gì nào bao nhiêu thế thì mà để cho với trong trên tại từ đến
    này nay đó kia ấy như sao bị bởi khi về ra vào sẽ đã đang còn hay hoặc nếu vì nên cũng rất làm tôi
    mình bạn anh chị em ơi à ạ nhé nha vậy đây đấy ai ở theo sau trước dưới nhất hơn mọi tất cả cái chiếc
    người biết muốn hỏi xin cảm ơn giúp cần phải hả ừ ừm nè đâu nhiêu ít nhỉ
    """
)
"""The Vietnamese stop words as written with diacritics: with `marks`, `thị` (in `thành thị`) and
`đá` are words, though they fold to the stop words `thi` (`thì`) and `da` (`đã`)."""
_RU_STOP = _wordset(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
    вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
    нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
    чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
    совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
    наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
    эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
    всю между сколько каков какие какое каких каким скажите подскажите пожалуйста это эта
    """
)


def _number(tok: str) -> str:
    digits = re.sub(r"[.,\u00a0\u202f]", "", tok)
    if re.fullmatch(r"\d+(?:[.,\u00a0\u202f]\d{3})+", tok):
        return digits
    return tok.replace(",", ".")


def words(text: str, marks: bool = False) -> list[str]:
    """Folded words and normalized numbers, chat abbreviations expanded, stop words kept.
    `marks`: Latin-script words keep their diacritics (lowercased; see `same_word`)."""
    out: list[str] = []
    for tok in terms(text):
        if tok[0].isdigit():
            out.append(_number(tok))
            continue
        low = tok.lower()
        exp = _VI_CHAT.get(low) or _RU_CHAT.get(low)
        if exp is None and marks and not is_cyrillic(low[:1]):
            out.append(nfc(low))
        else:
            out.extend((exp or fold_lower(low)).split())
    return _fix_question_words(out)


_QUESTION_WORDS = {"сколько", "когда", "почему"}
_NOT_TYPOS = {"столько"}
_AFTER_BAO = ("nhieu", "lau")


def _fix_question_words(out: list[str]) -> list[str]:
    """Question words typed with a typo (`bao nhiu`, `bao nieu`, `сколко`) restored, so how-much and
    when questions are still recognised and those words still count as stop words."""
    for i, w in enumerate(out):
        if i and plain(out[i - 1]) == "bao" and plain(w) not in _AFTER_BAO:
            out[i] = next((t for t in _AFTER_BAO if plain(w)[:1] == t[:1] and typo_apart(plain(w), t)), w)
        elif is_cyrillic(w[:1]) and w not in _QUESTION_WORDS and w not in _NOT_TYPOS and len(w) >= 4:
            out[i] = next((t for t in _QUESTION_WORDS if w[:1] == t[:1] and typo_apart(w, t)), w)
    return out


def typo_apart(a: str, b: str) -> bool:
    """Optimal-string-alignment distance ≤ 1 (≤ 2 for long words): tolerates one typo."""
    if abs(len(a) - len(b)) > 2 or min(len(a), len(b)) < 4:
        return False
    limit = 2 if min(len(a), len(b)) >= 8 else 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


def _stem(word: str) -> str:
    """Russian Snowball stem; a stem of fewer than 3 letters is a cut too deep (`аким` → `ак`,
    while `акима` → `аким`), so such a word is kept whole (it then matches its inflected forms)."""
    return russian_stem(word, min_len=3) if is_cyrillic(word[:1]) and len(word) > 3 else word


def content_terms(text: str, marks: bool = False) -> list[str]:
    """The words that carry meaning: folded, stemmed (Russian), without stop words. With `marks`
    Vietnamese words keep their diacritics, to be compared with `same_word`."""
    return list(_content_terms(text, marks))


@lru_cache(maxsize=50_000)
def _content_terms(text: str, marks: bool = False) -> tuple[str, ...]:
    out = []
    for w in words(text, marks):
        if w in _RU_STOP or (w in _VI_STOP_MARKED if marks and plain(w) != w else w in _VI_STOP):
            continue
        out.append(_stem(w))
    return tuple(out)


@lru_cache(maxsize=100_000)
def plain(word: str) -> str:
    """`knowledge.text.fold_lower` of one word (cached)."""
    return fold_lower(word)


def same_word(a: str, b: str) -> bool:
    """Two terms of `content_terms(..., marks=True)` are the same word when equal, or equal once
    folded with one of them written without diacritics (`ho` = `hộ`); written with different
    diacritics they are different words (`đá` ≠ `đã`, `tuyển` ≠ `tuyên`)."""
    if a == b:
        return True
    pa, pb = plain(a), plain(b)
    return pa == pb and (pa == a or pb == b)


def trigrams(text: str) -> frozenset[str]:
    """Character trigrams of the folded words (robust to typos), word-boundary padded."""
    return _trigrams(text)


@lru_cache(maxsize=50_000)
def _trigrams(text: str) -> frozenset[str]:
    grams: set[str] = set()
    for w in words(text):
        if w in _VI_STOP or w in _RU_STOP:
            continue
        padded = f" {w} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


_NUMERIC_Q = re.compile(
    r"\b(bao nhieu|bn|may|khi nao|bao gio|nam nao|ngay nao|luc nao|thoi gian nao|muc nao|bao lau|"
    r"сколько|скок|когда|какого числа|в каком году|какая сумма|на какую сумму|какой размер|какой срок)\b"
)


def is_numeric_question(question: str) -> bool:
    """`how much / when` questions: answers should carry a number or a date."""
    return bool(_NUMERIC_Q.search(" ".join(words(question))))


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", text))


_WHY_Q = re.compile(
    r"\b(tai sao|vi sao|vi ly do gi|ly do|sao lai|lam sao|the nao|nhu the nao|почему|зачем|отчего|как)\b"
)


def is_why_question(question: str) -> bool:
    """why / how questions: the answer often follows the sentence that restates the question."""
    return bool(_WHY_Q.search(" ".join(words(question))))
