"""handlers/errors.py: the one mapping from failures to localized replies, one test per row."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from handlers.errors import DIALOG, UPLOAD, Area, Refusal, classify, error_reply, error_text, explain
from handlers.flow import Ctx, Services, Stale
from handlers.i18n import Catalog
from handlers.messages import Incoming
from knowledge.errors import CivicError, Conflict, IngestError, NotFound, ValidationError

CATALOG = Catalog.load()


def test_an_old_button_is_stale() -> None:
    found = explain(Stale(), CATALOG, "vi")
    assert (found.key, found.kind) == ("common.stale_button", "stale")


@pytest.mark.parametrize("lang", ["vi", "ru"])
def test_a_domain_error_with_a_text_is_shown_with_its_params_in_the_user_s_language(lang: str) -> None:
    exc = ValidationError("booking.over_capacity", attendees=40, capacity=12)
    found = explain(exc, CATALOG, lang)
    assert (found.key, found.params, found.kind) == ("error.booking.over_capacity",
                                                     {"attendees": 40, "capacity": 12}, "domain")
    text = error_text(CATALOG, lang, exc)
    assert text == CATALOG.t(lang, "error.booking.over_capacity", attendees=40, capacity=12)
    assert "12" in text


def test_every_domain_error_type_is_recognised_by_type() -> None:
    for exc in (NotFound("kb.not_found", doc_id="x"), Conflict("booking.overlap"), IngestError("ingest.empty")):
        assert explain(exc, CATALOG, "vi").kind == "domain"
        assert classify(exc) == "domain"


def test_a_domain_error_without_a_text_gets_the_area_fallback_and_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.errors"):
        found = explain(CivicError("nobody.wrote.this"), CATALOG, "ru")
    assert found.key == DIALOG.fallback == "error.generic_input"
    assert "nobody.wrote.this" in caplog.text


def test_the_upload_area_has_its_own_texts_and_fallback() -> None:
    assert explain(IngestError("ingest.empty"), CATALOG, "vi", UPLOAD).key == "staff.upload.err.ingest.empty"
    assert explain(IngestError("ingest.not_a_code"), CATALOG, "vi", UPLOAD).key == "staff.upload.err.other"
    custom = Area("staff.upload.err", "error.internal")
    assert explain(IngestError("ingest.not_a_code"), CATALOG, "vi", custom).key == "error.internal"


def test_a_refusal_carries_its_own_text_and_audit_code() -> None:
    refused = Refusal("staff.upload.too_large", "ingest.too_large", size_mb="30.0")
    found = explain(refused, CATALOG, "vi", UPLOAD)
    assert (found.key, found.params) == ("staff.upload.too_large", {"size_mb": "30.0"})
    assert refused.code == "ingest.too_large" and classify(refused) == "domain"


@pytest.mark.parametrize("exc", [
    OperationalError("SELECT 1", {}, Exception("database is locked")),
    RedisConnectionError("connection refused"),
    OSError("network unreachable"),
    TimeoutError(),
])
def test_infrastructure_failures_get_the_infrastructure_apology_and_are_counted(exc: Exception) -> None:
    counts: Counter[str] = Counter()
    found = explain(exc, CATALOG, "vi", counts=counts)
    assert (found.key, found.kind) == ("sec.infrastructure_error", "infrastructure")
    assert counts == Counter({"infrastructure_errors_total": 1})


def test_sqlalchemy_s_code_attribute_does_not_make_a_domain_error() -> None:
    exc = OperationalError("SELECT 1", {}, Exception("x"))
    assert getattr(exc, "code", None)  # SQLAlchemy errors carry a `code` too
    assert explain(exc, CATALOG, "vi").kind == "infrastructure"


def test_a_bug_gets_the_internal_apology_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    counts: Counter[str] = Counter()
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        found = explain(KeyError("oops"), CATALOG, "ru", counts=counts)
    assert (found.key, found.kind) == ("error.internal", "internal")
    assert counts["internal_errors_total"] == 1
    assert caplog.records[-1].exc_info is not None


def test_error_reply_uses_the_ctx_language_and_extra_params_never_override_the_error_s() -> None:
    ctx = Ctx(Incoming("telegram", "1", "1", text="x"), "ru", CATALOG, Services(), {}, datetime.now(UTC))
    exc = ValidationError("booking.over_capacity", attendees=40, capacity=12)
    assert error_reply(ctx, exc).text == CATALOG.t("ru", "error.booking.over_capacity", attendees=40, capacity=12)
    assert error_text(CATALOG, "ru", exc, capacity=99) == error_reply(ctx, exc).text
