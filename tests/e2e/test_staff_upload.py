"""Staff upload through the dialog: the document is searchable at once; non-staff and bad files are
refused cleanly with nothing written (real SQLite, knowledge base, search and answerer)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlmodel import Session, select

from handlers.staff.models import AuditEntry
from tests.unit.staff.helpers import STAFF, STAFF_CHAT, StaffEnv, make_env, texts

NOTICE = (
    "Hỗ trợ tiền điện cho hộ nghèo năm 2026\n\n"
    "Theo thông báo của Sở Lao động, mỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng. "
    "Khoản hỗ trợ được chi trả theo quý tại Ủy ban nhân dân xã.\n"
)
QUESTION = "ho ngheo duoc ho tro tien dien bao nhieu moi thang?"


@pytest.fixture()
def env(tmp_path: Path) -> StaffEnv:
    return make_env(tmp_path, max_upload_mb=2)


def audit(env: StaffEnv) -> list[AuditEntry]:
    with Session(env.engine) as s:
        return list(s.exec(select(AuditEntry).order_by(AuditEntry.id)).all())  # type: ignore[arg-type]


def test_staff_upload_is_answered_at_once_without_restart(env: StaffEnv) -> None:
    before = env.send(QUESTION)
    assert "46.000" not in texts(before)
    out = env.upload("thong-bao-tien-dien.txt", NOTICE.encode(), caption="region=Hà Giang; program=vn-poverty")
    reply = texts(out)
    assert "Hỗ trợ tiền điện cho hộ nghèo năm 2026" in reply and "vi" in reply
    doc = env.kb.list_documents()[0]
    assert doc.doc_id in reply and f"{doc.chunks}" in reply
    assert doc.region == "Hà Giang" and doc.program == "vn-poverty" and doc.added_by == f"telegram:{STAFF}"
    answer = env.send(QUESTION)
    assert "46.000 đồng" in answer[0].text and doc.title in answer[0].text
    assert [(e.actor, e.action, e.outcome) for e in audit(env)][-1] == (STAFF, "upload", "ok")
    alert = [r for r in out if r.target == STAFF_CHAT]
    assert len(alert) == 1 and doc.doc_id in alert[0].text  # the staff chat hears about it


def test_same_file_again_replaces_and_keeps_history(env: StaffEnv) -> None:
    env.upload("notice.txt", NOTICE.encode())
    out = env.upload("notice.txt", NOTICE.replace("46.000", "50.000").encode())
    assert "2" in texts(out)  # version 2
    doc = env.kb.list_documents()
    assert len(doc) == 1 and doc[0].version == 2
    assert [h.status for h in env.kb.history(doc[0].doc_id)] == ["active", "replaced"]
    assert "50.000" in env.send(QUESTION)[0].text


def test_caption_title_replaces_a_document_with_that_title(env: StaffEnv) -> None:
    env.upload("a.txt", NOTICE.encode(), caption="title=Tiền điện hộ nghèo")
    env.upload("b.txt", NOTICE.replace("46.000", "50.000").encode(), caption="Tiền điện hộ nghèo")
    docs = env.kb.list_documents()
    assert len(docs) == 1 and docs[0].version == 2 and docs[0].title == "Tiền điện hộ nghèo"


def test_upload_by_a_non_staff_user_is_refused_and_logged(env: StaffEnv) -> None:
    stranger = "7654321"
    out = env.upload("notice.txt", NOTICE.encode(), user=stranger)
    assert "cán bộ" in texts(out)
    assert env.corpus() == (0, 0, 0) and env.downloads.calls == []
    last = audit(env)[-1]
    assert (last.action, last.outcome) == ("upload", "refused")
    assert last.actor.startswith("u:") and stranger not in last.actor  # users stay pseudonymous


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * 30_000_000 + b"</w:document>")
    return buf.getvalue()


BAD_FILES = [
    # (file name, bytes, mime, declared size, expected words, downloaded?)
    ("photo.jpg", b"\xff\xd8\xff", "image/jpeg", None, "loại tệp", False),
    ("setup.exe", b"MZ", "application/octet-stream", None, "loại tệp", False),
    ("huge.pdf", b"%PDF-1.4", "application/pdf", 25 * 1024 * 1024, "quá lớn", False),
    ("big.txt", b"a " * (1024 * 1024 + 10), "text/plain", None, "quá lớn", True),  # size unknown up front
    ("locked.pdf", _encrypted_pdf(), "application/pdf", -1, "mật khẩu", True),
    ("broken.pdf", b"%PDF-1.4\n this is not a pdf at all", "application/pdf", -1, "bị hỏng", True),
    ("bomb.docx", _zip_bomb(), None, -1, "không an toàn", True),
    ("empty.txt", b"   \n\n  ", "text/plain", -1, "không có nội dung", True),
    ("english.txt", b"The quick brown fox jumps over the lazy dog. " * 20, "text/plain", -1, "lang=vi", True),
]


@pytest.mark.parametrize(("name", "content", "mime", "size", "words", "downloaded"), BAD_FILES,
                         ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_cleanly(env: StaffEnv, name: str, content: bytes, mime: str | None,
                                     size: int | None, words: str, downloaded: bool) -> None:
    env.upload("ok.txt", NOTICE.encode())
    before = env.corpus()
    leftovers = set(Path(tempfile.gettempdir()).glob("civicbot-upload-*"))
    out = env.upload(name, content, mime=mime, size=size)
    assert words in texts(out) and name in texts(out)
    assert env.corpus() == before  # nothing half-indexed
    assert set(Path(tempfile.gettempdir()).glob("civicbot-upload-*")) == leftovers  # no temp file left
    assert (len(env.downloads.calls) == 2) is downloaded  # type/size refused before downloading
    last = audit(env)[-1]
    assert (last.actor, last.action, last.outcome) == (STAFF, "upload", "failed")
    assert json.loads(last.details)["code"]
    assert "46.000" in env.send(QUESTION)[0].text  # the knowledge base still works


def test_download_failure_and_bad_caption_are_explained(env: StaffEnv) -> None:
    env.downloads.fail = True
    assert "tải được" in texts(env.upload("notice.txt", NOTICE.encode()))
    env.downloads.fail = False
    assert "chú thích" in texts(env.upload("notice.txt", NOTICE.encode(), caption="title=X; published=soon"))
    assert "lang=vi" in texts(env.upload("notice.txt", NOTICE.encode(), caption="lang=en"))
    assert env.corpus() == (0, 0, 0)


def test_refusal_is_in_the_users_language(env: StaffEnv) -> None:
    env.send("/start", user=STAFF, language_code="ru")
    out = env.upload("broken.pdf", b"%PDF-1.4 junk", mime="application/pdf")
    assert "повреждён" in texts(out)
