import pytest

from knowledge.jsontypes import as_list, as_object


def test_as_object_accepts_string_keys_only() -> None:
    assert as_object({"a": 1}) == {"a": 1}
    with pytest.raises(ValueError, match="rooms: expected an object"):
        as_object({1: "x"}, "rooms")
    with pytest.raises(ValueError):
        as_object([1, 2])


def test_as_list() -> None:
    assert as_list([1, "a"]) == [1, "a"]
    with pytest.raises(ValueError, match="items: expected a list"):
        as_list({"a": 1}, "items")
