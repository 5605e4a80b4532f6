"""Types for JSON data: what the project writes (`JSONValue`, `JSONObject`) and reads (`object`, narrowed).

Values the project builds for `json.dumps` (``ask --json``, ``stats --json``, rule decisions) are typed as
`JSONObject`; the read-only `Mapping`/`Sequence` members make the alias covariant, so a `list[str]` or a
`dict[str, int]` is accepted where JSON is expected. What comes *in* as JSON or YAML (files, requests,
platform updates) is `object` until checked: `as_object` and `as_list` narrow it or raise `ValueError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

JSONScalar = str | int | float | bool | None
JSONValue = JSONScalar | Sequence["JSONValue"] | Mapping[str, "JSONValue"]
JSONObject = Mapping[str, JSONValue]
JSONDict = dict[str, JSONValue]
"""A JSON object being built (mutable); pass it on as `JSONObject`."""


def as_object(value: object, what: str = "value") -> dict[str, object]:
    """`value` if it is a JSON object (a dict with string keys), else ValueError naming `what`."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{what}: expected an object")
    return {str(k): v for k, v in value.items()}


def as_list(value: object, what: str = "value") -> list[object]:
    """`value` if it is a JSON array, else ValueError naming `what`."""
    if not isinstance(value, list):
        raise ValueError(f"{what}: expected a list")
    return list(value)
