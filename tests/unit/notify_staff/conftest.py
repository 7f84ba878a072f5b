"""notify_staff's ports, all in memory: what its unit tests hand to the logic."""

from __future__ import annotations

import pytest

from tests.support.fakes import NotifyFakes


@pytest.fixture
def fakes() -> NotifyFakes:
    return NotifyFakes()
