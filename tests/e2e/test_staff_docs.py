"""Documents, statistics and the staff menu through the dialog (real KB and search)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.staff.helpers import ADMIN, STAFF, StaffEnv, datas, make_env, texts

NOTICE = "Hỗ trợ tiền điện cho hộ nghèo\n\nMỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng.\n"
QUESTION = "hộ nghèo được hỗ trợ tiền điện bao nhiêu mỗi tháng"


@pytest.fixture()
def env(tmp_path: Path) -> StaffEnv:
    return make_env(tmp_path)


def test_docs_are_paged_with_buttons(env: StaffEnv) -> None:
    for i in range(10):
        env.kb.add_text(f"Thông báo số {i}\n\nNội dung thông báo số {i} về chương trình hỗ trợ hộ nghèo.",
                        source=f"test:{i}")
    first = env.send("/docs", user=STAFF)
    assert "1/2" in first[0].text and "10" in first[0].text
    assert "staff:docs:1" in datas(first) and "staff:docs:0" not in datas(first)
    second = env.press("staff:docs:1", user=STAFF)
    assert "2/2" in second[0].text and "staff:docs:0" in datas(second)
    assert env.send("/docs 2", user=STAFF)[0].text == second[0].text
    assert "2/2" in env.send("/docs 99", user=STAFF)[0].text  # clamped, not an error
    doc_buttons = [d for d in datas(first) if d.startswith("staff:doc:")]
    assert len(doc_buttons) == 8 and all(len(d.encode()) <= 64 for d in doc_buttons)


def test_show_remove_with_confirmation(env: StaffEnv) -> None:
    env.upload("notice.txt", NOTICE.encode())
    env.upload("notice.txt", NOTICE.replace("46.000", "50.000").encode(), caption="url=https://example.vn/tb")
    doc = env.kb.list_documents()[0]
    card = env.send(f"/doc {doc.doc_id}", user=STAFF)
    assert doc.title in card[0].text and "https://example.vn/tb" in card[0].text
    assert "2 (số bản cũ còn lưu: 1)" in card[0].text
    confirm = env.press(f"staff:rm:{doc.doc_id}", user=STAFF)
    assert doc.title in confirm[0].text and f"staff:rmy:{doc.doc_id}" in datas(confirm)
    assert env.kb.count_documents() == 1  # nothing removed before the confirmation
    assert "50.000" in env.send(QUESTION)[0].text
    done = env.press(f"staff:rmy:{doc.doc_id}", user=STAFF)
    assert "Đã xóa" in done[0].text and env.kb.count_documents() == 0
    assert "50.000" not in env.send(QUESTION)[0].text  # no restart needed
    assert "Không có tài liệu" in env.press(f"staff:rmy:{doc.doc_id}", user=STAFF)[0].text
    assert "Không có tài liệu" in env.send("/doc nope", user=STAFF)[0].text
    assert "Cách dùng" in env.send("/remove", user=STAFF)[0].text
    assert env.staff.audit_entries(1, actor=STAFF)[0].action == "remove"


def test_long_doc_ids_get_short_callback_refs(env: StaffEnv) -> None:
    long_id = "nghi-dinh-" + "rat-dai-" * 10
    env.kb.add_text("Nghị định dài\n\nNội dung về hỗ trợ hộ nghèo.", doc_id=long_id, source="test:long")
    listing = env.send("/docs", user=STAFF)
    ref = next(d for d in datas(listing) if d.startswith("staff:doc:"))
    assert len(ref.encode()) <= 64 and long_id not in ref
    assert long_id in env.press(ref, user=STAFF)[0].text


def test_reindex_and_unchanged_upload(env: StaffEnv) -> None:
    env.upload("notice.txt", NOTICE.encode())
    assert "không có gì thay đổi" in texts(env.upload("notice.txt", NOTICE.encode()))
    assert "Đã lập lại chỉ mục" in env.send("/reindex", user=STAFF)[0].text
    assert "46.000" in env.send(QUESTION)[0].text


def test_stats_in_russian_and_menu_only_for_staff(env: StaffEnv) -> None:
    env.send("/start", user=STAFF, language_code="ru")
    env.send(QUESTION)
    out = env.send("/stats 30", user=STAFF)
    assert "Статистика за 30" in out[0].text and "Вопросов: 1" in out[0].text
    assert "staff:st:7" in datas(out)
    assert "menu:staff" in datas(env.send("/menu", user=STAFF))
    assert "menu:staff" not in datas(env.send("/menu", user="42"))
    menu = env.press("menu:staff", user=STAFF)
    assert "staff:docs:0" in datas(menu) and "staff:un" in datas(menu)
    assert "46.000" not in texts(env.send("/staff", user=ADMIN))
    after_menu = env.send(QUESTION, user=STAFF)  # free text after the staff menu is still a question
    assert "Статистика" not in texts(after_menu)


def test_staff_list_and_audit_in_chat(env: StaffEnv) -> None:
    env.send("/staff add 333", user=ADMIN)
    listing = texts(env.send("/staff list", user=STAFF))
    assert "333 — staff" in listing and "900 — admin" in listing
    audit = texts(env.send("/audit", user=STAFF))
    assert "900: role_add telegram:333 [ok]" in audit
