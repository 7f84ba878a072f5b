"""A conditional UpdateItem as DynamoDB takes it: what each table's transitions produce
(``item.py``, ``limits.py``) and the table adapters send (``aws/table.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Update:
    """A conditional UpdateItem, as DynamoDB takes it (values as plain Python)."""

    expression: str
    names: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    condition: str | None = None
