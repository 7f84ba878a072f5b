"""The distribution's API origin on the local AWS: what ``intake origin rotate`` switches.

CloudFront's origin header (``X-Origin-Verify``) is the one piece of the distribution the local
stack needs as state: a rotation changes it with ``UpdateDistribution``, and the front door sends
whatever the distribution says, as an edge location does once the change reaches it. moto keeps
the distribution; the front door reads it again at most every ``propagation`` seconds, so a
switch reaches requests a little later, as it does in AWS.
"""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from .template import LocalStack

HEADER = "x-origin-verify"


def _origin_headers(stack: LocalStack) -> list[dict[str, str]]:
    """The API origin's custom headers, as the template's distribution resolves them."""
    config = stack.resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    origin = next(o for o in config["Origins"] if o["Id"] == "api")
    return [
        {"HeaderName": h["HeaderName"], "HeaderValue": str(stack.resolve(h["HeaderValue"]))}
        for h in origin.get("OriginCustomHeaders", [])
    ]


class LocalDistribution:
    """The distribution's API origin, kept by the local CloudFront (moto)."""

    def __init__(
        self,
        stack: LocalStack,
        cloudfront: Any,
        lock: AbstractContextManager[Any] | None = None,
        *,
        propagation: float = 1.0,
    ) -> None:
        self.cloudfront = cloudfront
        # The local AWS's lock: its in-process calls must not interleave with its server's.
        self.aws_lock = lock if lock is not None else nullcontext()
        self.propagation = propagation
        headers = _origin_headers(stack)
        config = {
            "CallerReference": stack.stack_name,
            "Comment": f"{stack.stack_name} (local stand-in: the API origin only)",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "api",
                        "DomainName": "api.local.invalid",
                        "CustomHeaders": {"Quantity": len(headers), "Items": headers},
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "api",
                "ViewerProtocolPolicy": "https-only",
                # CachingDisabled, as the template's API behaviours.
                "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            },
        }
        with self.aws_lock:
            created = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
        self.id: str = created["Id"]
        stack.physical["SiteDistribution"] = self.id
        self._lock = threading.Lock()
        self._value = self._read()
        self._read_at = time.monotonic()

    def _read(self) -> str:
        with self.aws_lock:
            config = self.cloudfront.get_distribution_config(Id=self.id)["DistributionConfig"]
        for header in config["Origins"]["Items"][0].get("CustomHeaders", {}).get("Items", []):
            if header["HeaderName"].lower() == HEADER:
                return str(header["HeaderValue"])
        return ""

    def origin_header(self) -> str:
        """What an edge location sends as X-Origin-Verify now."""
        with self._lock:
            if time.monotonic() - self._read_at >= self.propagation:
                self._value, self._read_at = self._read(), time.monotonic()
            return self._value
