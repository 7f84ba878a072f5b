"""Fixtures that call the functions' handlers the way AWS does, on the test stack.

The handlers read their settings when they are imported (a cold start): the test stack's
environment is set as this file loads, before any test module of the tier imports one.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from intake_local.template import LocalStack
from tests.support import environment, handlers
from tests.support.handlers import Deliver, Invoke
from tests.support.leaks import LeakGuard

environment.prepare()


@pytest.fixture
def invoke(aws: Any, leak_guard: LeakGuard) -> Invoke:
    """Call submit_request's Lambda handler the way API Gateway does."""
    return partial(handlers.submit, leak_guard)


@pytest.fixture
def deliver(aws: LocalStack) -> Deliver:
    """Run notify_staff on messages (by default: everything on the alert queue)."""
    return partial(handlers.deliver, aws)
