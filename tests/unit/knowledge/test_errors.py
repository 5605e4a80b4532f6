from __future__ import annotations

import pytest

from knowledge.errors import (
    CivicError,
    Conflict,
    Forbidden,
    IngestError,
    NotFound,
    RateLimited,
    ValidationError,
)


def test_message_names_file_line_and_code() -> None:
    err = IngestError("ingest.bad_json", file="data.jsonl", line=3, detail="Expecting value")
    assert str(err) == "data.jsonl, line 3: not a valid JSON object (Expecting value) [ingest.bad_json]"
    assert err.code == "ingest.bad_json"
    assert err.params == {"file": "data.jsonl", "line": 3, "detail": "Expecting value"}


def test_custom_message_and_missing_params() -> None:
    err = ValidationError("booking.bad_date", message="date {value} is in the past")
    assert str(err) == "date ? is in the past [booking.bad_date]"
    assert str(NotFound()) == "not found [not_found]"


@pytest.mark.parametrize("cls", [IngestError, NotFound, ValidationError, Conflict, Forbidden, RateLimited])
def test_tree(cls: type[CivicError]) -> None:
    err = cls()
    assert isinstance(err, CivicError)
    assert err.code == cls.default_code
    with pytest.raises(CivicError):
        raise err
