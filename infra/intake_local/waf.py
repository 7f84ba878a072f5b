"""The API's WAF web ACL (``EnableWaf``), as the local front door applies it.

In AWS the web ACL is associated with the API stage and its rules run before anything else the
API does ("AWS WAF rules are evaluated before other access control features":
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html).
The template has two: the origin header only CloudFront knows (the local front door always adds
it, as CloudFront does), and a rate-based rule per viewer address, keyed on ``x-viewer-ip``
(what CloudFront's function writes, never the viewer's own X-Forwarded-For). This applies the
second over a trailing window of the rule's ``EvaluationWindowSec`` (300 s unless set), as
AWS documents rate-based rules:
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
AWS checks the rate every few seconds, so it blocks a little later than this does; the test
only relies on an address far above the limit being blocked and the others not.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .template import LocalStack

RATE_RULE = "per-ip-rate"


class LocalWaf:
    def __init__(self, stack: LocalStack, clock: Callable[[], float] = time.monotonic) -> None:
        acl: dict[str, Any] = stack.resources["ApiWebAcl"]["Properties"]
        rules = {rule["Name"]: rule for rule in acl["Rules"]}
        rate = rules[RATE_RULE]["Statement"]["RateBasedStatement"]
        self.limit = int(stack.resolve(rate["Limit"]))
        self.window = float(rate.get("EvaluationWindowSec", 300))
        self.key_header = str(rate["ForwardedIPConfig"]["HeaderName"]).lower()
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, stack: LocalStack) -> LocalWaf | None:
        """The stack's web ACL, or None when the template leaves it out (EnableWaf=false)."""
        return cls(stack) if stack.condition("WafEnabled") else None

    def admits(self, headers: dict[str, str]) -> bool:
        """Whether the request passes the rate rule; every request counts, blocked or not."""
        viewer = next((v for k, v in headers.items() if k.lower() == self.key_header), "")
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(viewer, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            seen.append(now)
            return len(seen) <= self.limit
