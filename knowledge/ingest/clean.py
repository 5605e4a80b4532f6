"""Text clean-up: the boilerplate scraped web pages carry (Unicode and whitespace: knowledge.text.normalize_text).

The rules are general (they describe kinds of page furniture, not particular files):

- inline: photo credits (`Photo: TV`, `Фото: zakon.kz`, `Ảnh: TTXVN`), a source tag opening the lead
  (`(Vietpeace) Chiều 20/3 ...`), the Vietnamese end-of-article mark `./.`;
- whole lines: share / print / follow buttons, visit counters (`Tổng số lượt truy cập: 41406302`,
  `Просмотров: 12`), tag lists, "scroll down" prompts, comment-system and error-report widgets;
- a dateline near the top (`Wed, 15/03/2017 14:00 | GMT +7`, `Новости Zakon.kz от 07.11.2018 15:59`)
  is removed and its date returned as the publication date;
- a trailer: from a "read more" / "related" / "Xem thêm" / "cùng chuyên mục" / "Читайте также" /
  "Поделиться" line in the second part of the text to the end;
- the tail: short ALL-CAPS menu headings, bylines (2–4 capitalized words: `Như Thủy`, `Ольга Бугаева.`),
  trailing author initials (`... cụ thể. NN`); a byline right under the title;
- a leading breadcrumb (a section name of ≤ 4 words above a longer headline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from knowledge.text import normalize_text, word_offsets

# ---- rules ------------------------------------------------------------------------------------

_PHOTO_CREDIT = re.compile(r"(?:^|(?<=\s))(?:Photo|Ảnh|Фото|Foto|Nguồn ảnh)\s*:\s*\S+(?:\s+|$)", re.IGNORECASE)
_SOURCE_TAG = re.compile(r"^\((?=[^)]*[^\W\d_])[^\s()]{3,30}\)\s*[-–—]?\s*(?=[^\W\d_])")
_END_MARK = re.compile(r"\s*\./\.\s*$")
_JUNK_LINE = re.compile(
    r"^(?:[•·|*\-–]\s*)?(?:"
    r"(?:chia sẻ(?: bài viết)?|share(?: this)?|поделиться(?: новостью| в соцсетях)?)(?:\s*[:|].*)?"
    r"|tweet|like|print|email|in bài(?: viết)?|gửi bài(?: viết)?|lưu bài|распечатать|версия для печати"
    r"|facebook|zalo|twitter|telegram|vk|вконтакте|одноклассники"
    r"|(?:tổng số )?lượt (?:truy cập|xem)\s*:?.*|số (?:người|khách) đang (?:truy cập|online)\s*:?.*"
    r"|(?:đang truy cập|hôm nay|tuần này|tháng này|tổng cộng)\s*:\s*[\d.,\s]+"
    r"|(?:просмотров|просмотры|посетителей|visitors?|views?|page views)\s*:?\s*[\d\s.,]*"
    r"|thống kê truy cập|tags?\s*:.*|từ khó[aá]\s*:.*|теги\s*:.*|метки\s*:.*"
    r"|kéo xuống để xem tiếp(?: nội dung)?|cuộn xuống để xem tiếp.*"
    r"|следите за новостями.*|подписывайтесь на .*|сообщите об ошибке.*|ошибка в тексте\s*:?.*"
    r"|если вы видите данное сообщение.*|нашли ошибку\?.*|báo lỗi.*|bình luận \(\d+\)|comments? \(\d+\)"
    r")$",
    re.IGNORECASE,
)
_TRAILER_START = re.compile(
    r"^(?:[•·|*\-–]\s*)?(?:"
    r"xem thêm(?:\s.*)?|đọc thêm(?:\s.*)?|read more(?:\s.*)?|tin (?:liên quan|cùng chuyên mục|khác|mới)"
    r"|bài viết liên quan|(?:tin )?cùng chuyên mục|các tin (?:khác|đã đưa)|bình luận|ý kiến bạn đọc"
    r"|related(?: articles| news| posts)?|more news|comments?"
    r"|читайте также.*|читать также.*|смотрите также.*|похожие (?:новости|статьи|материалы)|другие новости"
    r"|новости по теме|комментарии|поделиться(?: новостью)?|следите за новостями.*|tags?\s*:.*|теги\s*:.*"
    r")\s*:?$",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_TIME_OR_ZONE = re.compile(r"\b\d{1,2}:\d{2}\b|\bGMT\b|\bUTC\b", re.IGNORECASE)
_NAME_WORD = r"[^\W\d_][^\W\d_'’-]*"
_BYLINE = re.compile(rf"^(?:{_NAME_WORD})(?:\s{_NAME_WORD}){{1,3}}\.?$")
_TRAILING_INITIALS = re.compile(r"(?<=[.!?…»”\"])\s+[A-ZĐА-ЯЁ]{1,4}\.?$")


@dataclass(slots=True)
class Cleaned:
    text: str
    published: date | None = None
    removed: list[str] = field(default_factory=list)


def _is_byline(line: str) -> bool:
    if len(line) > 40 or not _BYLINE.match(line):
        return False
    return all(w[0].isupper() and not w.isupper() for w in line.rstrip(".").split())


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and len(line.split()) <= 6 and all(c.isupper() for c in letters)


def _dateline_date(line: str) -> date | None:
    """The date of a short dateline/byline-with-date line, or None when it is not one."""
    m = _DATE.search(line)
    if not m or len(line) > 120 or line.endswith(".") or len(line.split()) > 15:
        return None
    if not _TIME_OR_ZONE.search(line):
        return None
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _inline(line: str) -> str:
    line = _PHOTO_CREDIT.sub("", line)
    line = _SOURCE_TAG.sub("", line)
    return _END_MARK.sub(".", line).strip()


def _cut_trailer(lines: list[str], removed: list[str]) -> list[str]:
    total = sum(len(x) for x in lines) or 1
    seen = 0
    for i, line in enumerate(lines):
        if seen >= 0.3 * total and len(line) <= 80 and _TRAILER_START.match(line):
            removed.extend(x for x in lines[i:] if x)
            return lines[:i]
        seen += len(line)
    return lines


def _trim_tail(lines: list[str], removed: list[str]) -> list[str]:
    while lines:
        last = lines[-1]
        if not last or _JUNK_LINE.match(last) or _is_caps_heading(last) or _is_byline(last):
            if last:
                removed.append(last)
            lines.pop()
            continue
        m = _TRAILING_INITIALS.search(last)
        if m:
            removed.append(m.group(0).strip())
            lines[-1] = last[: m.start()]
        break
    return lines


def _trim_head(lines: list[str], removed: list[str], breadcrumb: bool) -> list[str]:
    body = [i for i, x in enumerate(lines) if x]
    if breadcrumb and len(body) >= 2:
        first, second = lines[body[0]], lines[body[1]]
        if (
            len(first.split()) <= 4
            and len(second.split()) >= 5
            and len(second) <= 250
            and second[-1] not in ".!?…:;"
            and not _is_byline(first)
        ):
            removed.append(first)
            lines = lines[body[1] :]
    body = [i for i, x in enumerate(lines) if x]
    for i in body[1:3]:
        if _is_byline(lines[i]):
            removed.append(lines[i])
            lines[i] = ""
            break
    return lines


def strip_boilerplate(text: str, *, breadcrumb: bool = True) -> Cleaned:
    """Remove web-page furniture from already normalized text (see the module docstring).
    `breadcrumb=False` keeps a short first line (when the title is known, e.g. a markdown heading)."""
    removed: list[str] = []
    published: date | None = None
    lines: list[str] = []
    for idx, raw in enumerate(text.split("\n")):
        line = _inline(raw) if raw else raw
        if raw and not line:
            removed.append(raw)
            continue
        if line and _JUNK_LINE.match(line):
            removed.append(line)
            continue
        when = _dateline_date(line) if idx < 8 and line else None
        if when is not None:
            published = published or when
            removed.append(line)
            continue
        lines.append(line)
    lines = _cut_trailer(lines, removed)
    lines = _trim_tail(lines, removed)
    lines = _trim_head(lines, removed, breadcrumb)
    return Cleaned(normalize_text("\n".join(lines)), published, removed)


def clean_text(text: str, *, boilerplate: bool = True, breadcrumb: bool = True) -> Cleaned:
    """Normalize, then (for web-ish documents) strip boilerplate."""
    text = normalize_text(text)
    return strip_boilerplate(text, breadcrumb=breadcrumb) if boilerplate else Cleaned(text)


def word_count(text: str) -> int:
    return len(word_offsets(text))
