"""JSON data: the one kind of value in the conversation layer whose shape is known only at run time.

Dialog state (a flow's `ctx.data`), job payloads, stored platform events and statistics for
`--json` are decoded JSON objects; their values are checked (narrowed) where they are read. Everything
else that crosses a package boundary has a real type (handlers/ports.py, handlers/flow.py `Services`).
"""

from __future__ import annotations

from typing import Any, TypeAlias

JsonObject: TypeAlias = dict[str, Any]
"""A decoded JSON object (or one about to be encoded): string keys, JSON values."""
