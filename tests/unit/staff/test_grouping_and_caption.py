from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handlers.staff.grouping import Question, find_group, group_questions, jaccard
from handlers.staff.service import parse_group_ref
from handlers.staff.upload import file_extension, parse_caption, safe_name
from knowledge.errors import ValidationError

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def q(i: int, text: str, lang: str = "vi", user: str = "u") -> Question:
    return Question(i, text, lang, T0 + timedelta(minutes=i), f"{user}{i}", "abstained")


def test_same_question_with_and_without_diacritics_is_one_group() -> None:
    groups = group_questions([
        q(1, "Nhà các tổ chức phi chính phủ mở cửa lúc mấy giờ?"),
        q(2, "nha cac to chuc phi chinh phu mo cua may gio"),
        q(3, "Как оформить пособие на ребёнка?", "ru"),
        q(4, "как оформить пособие на ребенка"),
        q(5, "Nhà các tổ chức phi chính phủ mở cửa lúc mấy giờ?"),
        q(6, "xe buýt số 5 chạy mấy giờ"),
    ])
    assert [g.count for g in groups] == [3, 2, 1]
    assert groups[0].id == 1 and groups[0].query_ids == [1, 2, 5]
    assert groups[0].question == "Nhà các tổ chức phi chính phủ mở cửa lúc mấy giờ?"  # the most frequent wording
    assert groups[1].id == 3 and groups[1].lang in ("ru", "vi")
    assert find_group(groups, 5) is groups[0] and find_group(groups, 6) is groups[2]
    assert find_group(groups, 99) is None


def test_ties_put_the_most_recent_first_and_empty_input_is_fine() -> None:
    groups = group_questions([q(1, "giờ mở cửa"), q(2, "пособие на ребенка", "ru")])
    assert [g.id for g in groups] == [2, 1]
    assert group_questions([]) == []
    assert jaccard(set(), set()) == 1.0 and jaccard({"a"}, set()) == 0.0


def test_group_json_has_ids_and_counts() -> None:
    data = group_questions([q(1, "giờ mở cửa"), q(2, "gio mo cua", user="x")])[0].to_json()
    assert data["id"] == 1 and data["count"] == 2 and data["users"] == 2 and data["query_ids"] == [1, 2]
    assert data["reasons"] == {"abstained": 2}


@pytest.mark.parametrize(("ref", "expected"), [("12", 12), ("G12", 12), ("g7", 7), ("#3", 3), (4, 4)])
def test_group_refs(ref: object, expected: int) -> None:
    assert parse_group_ref(ref) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("ref", ["", "abc", "G", "1.5", "-3"])
def test_bad_group_refs(ref: str) -> None:
    with pytest.raises(ValidationError):
        parse_group_ref(ref)


@pytest.mark.parametrize(("caption", "expected"), [
    (None, {}),
    ("", {}),
    ("Nghị định 07/2021", {"title": "Nghị định 07/2021"}),
    ("title=Nghị định 07; region=Hà Giang; program=vn-poverty; url=https://x.vn/a",
     {"title": "Nghị định 07", "region": "Hà Giang", "program": "vn-poverty", "url": "https://x.vn/a"}),
    ("название: Адресная помощь\nрегион: Павлодар", {"title": "Адресная помощь", "region": "Павлодар"}),
    ("https://chinhphu.vn/nghi-dinh", {"title": "https://chinhphu.vn/nghi-dinh"}),
    ("title=A; some free words", {"title": "title=A; some free words"}),
    ("lang=vi; published=2025-12-30", {"lang": "vi", "published": "2025-12-30"}),
])
def test_caption(caption: str | None, expected: dict[str, str]) -> None:
    assert parse_caption(caption) == expected


@pytest.mark.parametrize(("name", "mime", "ext"), [
    ("a.PDF", "application/pdf", ".pdf"), ("b.docx", None, ".docx"), ("c.md", "application/octet-stream", ".md"),
    ("d.htm", "text/html", ".htm"), ("e.txt", "text/plain", ".txt"), (None, "application/pdf", ".pdf"),
    ("f", "text/markdown", ".md"), ("g.doc", "application/msword", None), ("h.exe", None, None),
    ("i.pdf", "image/png", None), (None, None, None), ("j.jsonl", "application/json", None),
])
def test_file_types(name: str | None, mime: str | None, ext: str | None) -> None:
    assert file_extension(name, mime) == ext


def test_safe_name_keeps_the_extension_and_no_path() -> None:
    assert safe_name("../../etc/Quyết định số 1.pdf", ".pdf") == "Quyết định số 1.pdf"
    assert safe_name(None, ".txt") == "document.txt"
    assert safe_name("///", ".md") == "document.md"
