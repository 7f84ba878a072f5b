"""notify_staff's ports, all in memory: what its unit tests hand to the logic."""

from __future__ import annotations

import pytest

from notify_staff.ports import Dependencies
from tests.support.fakes import FakeMailer, FakeTexter, InMemoryAlertBudget, InMemoryRequestStore


@pytest.fixture
def deps() -> Dependencies:
    return Dependencies(
        store=InMemoryRequestStore(),
        budget=InMemoryAlertBudget(),
        mailer=FakeMailer(),
        texter=FakeTexter(),
    )
