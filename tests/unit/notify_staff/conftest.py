"""notify_staff's ports, all in memory: what its unit tests hand to the logic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from intake_common.runtime.observability import metrics
from tests.support.fakes import NotifyFakes


@pytest.fixture(autouse=True)
def _fresh_metrics() -> Iterator[None]:
    """Each test counts only what it made the code emit (Powertools keeps a module-wide set)."""
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


@pytest.fixture
def fakes() -> NotifyFakes:
    return NotifyFakes()
