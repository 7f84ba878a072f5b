"""Run a function's handler with other adapters: the injection seam, never a private attribute.

Every handler module's ``dependencies`` function, which the handler calls on every event.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def real(module: Any) -> Any:
    """The handler's real adapters, built fresh (on the test's moto and dynalite)."""
    return module.dependencies.__wrapped__()


@contextmanager
def dependencies(module: Any, **replaced: Any) -> Iterator[Any]:
    """The real adapters with some replaced, e.g. ``publisher=FailingPublisher()``."""
    deps = dataclasses.replace(real(module), **replaced)
    original = module.dependencies
    module.dependencies = lambda: deps
    try:
        yield deps
    finally:
        module.dependencies = original
