"""Hostile files sent by staff through the chat (issue 11 item 9): a clear refusal in the staff
member's language, nothing half-indexed, and the bot answers normally afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.ingest.limits import limits, set_limits
from tests.fakes import hostile_files as H
from tests.unit.staff.helpers import StaffEnv, make_env, texts


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[StaffEnv]:
    saved = limits()
    yield make_env(tmp_path, max_upload_mb=20)
    set_limits(**saved.__dict__)


def test_hostile_docx_and_pdf_uploads_are_refused_in_the_staff_language(env: StaffEnv, tmp_path: Path) -> None:
    set_limits(max_chars=200_000, parse_timeout_s=3.0)
    before = env.corpus()
    heavy = H.docx_text_heavy(tmp_path / "bao-cao.docx", xml_mb=4).read_bytes()
    out = texts(env.upload("bao-cao.docx", heavy))
    assert "200000 ký tự" in out and "Chưa thêm gì" in out
    bomb = H.docx_lying_header(tmp_path / "bom.docx", real_mb=60).read_bytes()
    out = texts(env.upload("bom.docx", bomb))
    assert "bom.docx" in out and ("hỏng" in out or "không an toàn" in out)
    slow = H.pdf_slow_page(tmp_path / "cham.pdf", operators=1_000_000).read_bytes()
    env.press("lang:ru", user="901")
    out = texts(env.upload("cham.pdf", slow))
    assert "заняло больше 3 с" in out
    assert env.corpus() == before
