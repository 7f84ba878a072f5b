"""notify_staff's ports, all in memory: what its unit tests hand to the logic."""

from __future__ import annotations

import pytest

from notify_staff.ports import Dependencies
from tests.support.fakes import FakeMailer, FakeTexter, InMemoryRequestStore, in_memory_budget


@pytest.fixture
def deps() -> Dependencies:
    return Dependencies(
        store=InMemoryRequestStore(),
        budget=in_memory_budget(),
        mailer=FakeMailer(),
        texter=FakeTexter(),
    )
