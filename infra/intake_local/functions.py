"""The template's functions, run as Lambda runs them: each imported once (its cold start) with
the environment the template gives it, primed as SnapStart primes them before a snapshot (when
the stack's ``SnapStart`` parameter is on), and serving one event at a time, as one execution
environment does.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from typing import Any

from intake_common.runtime.events import LambdaContext

from .template import LocalStack

Handler = Callable[[dict[str, Any], Any], Any]


class LocalFunctions:
    def __init__(self, stack: LocalStack, overrides: dict[str, dict[str, str]] | None = None):
        self.stack = stack
        self.overrides = overrides or {}
        self.handlers: dict[str, Handler] = {}
        self.timeouts: dict[str, int] = {}
        self._locks: dict[str, threading.Lock] = {}

    def load(self) -> None:
        """Import each handler with its environment (Globals, its own, then local overrides)."""
        for name in self.stack.resource_of_type("AWS::Serverless::Function"):
            properties = self.stack.resources[name]["Properties"]
            os.environ.update(self.stack.function_environment(name))
            os.environ.update(self.overrides.get(name, {}))
            module, _, attribute = properties["Handler"].rpartition(".")
            self.handlers[name] = getattr(importlib.import_module(module), attribute)
            self.timeouts[name] = int(properties.get("Timeout", 3))
            self._locks[name] = threading.Lock()
        if self.stack.condition("UseSnapStart"):
            # What Lambda does before it snapshots a version: the handlers' priming hooks (they
            # answer their AWS calls locally: nothing reaches the local AWS either).
            from intake_common.runtime import snapstart

            snapstart.prime()

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        with self._locks[name]:
            context = LambdaContext(name, timeout_seconds=self.timeouts[name])
            return self.handlers[name](event, context)
