"""The per-client limit on by default (EnableWaf), as the local front door applies the template's
web ACL (intake_local/waf.py): one address far above the limit is blocked, while other visitors'
requests still get 201 (issue 22). Each simulated visitor sends from its own loopback address
(Linux routes all of 127.0.0.0/8 to the loopback interface)."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from urllib.parse import urlsplit

from tests.support.data import valid_fields
from tests.support.local_stack import running_local

LIMIT = 20


def _post_from(base_url: str, source: str) -> int:
    where = urlsplit(base_url)
    connection = http.client.HTTPConnection(
        where.hostname or "127.0.0.1", where.port, timeout=15, source_address=(source, 0)
    )
    try:
        connection.request(
            "POST",
            "/api/appointments",
            body=json.dumps(valid_fields()),
            headers={"Content-Type": "application/json", "Host": where.netloc},
        )
        status: int = connection.getresponse().status
        return status
    finally:
        connection.close()


def test_one_address_far_above_the_limit_leaves_other_visitors_at_201() -> None:
    with running_local(
        "--parameter",
        "EnableWaf=true",
        "--parameter",
        f"WafRateLimit={LIMIT}",
        "--parameter",
        "SmsAlertsPerHour=100000",
        "--parameter",
        "EmailAlertsPerHour=100000",
    ) as local:
        flood: Counter[int] = Counter()
        visitors: Counter[int] = Counter()

        def flooder() -> None:
            for _ in range(LIMIT * 3):
                flood[_post_from(local.base_url, "127.0.0.2")] += 1

        thread = threading.Thread(target=flooder)
        thread.start()
        # Other visitors, each from their own address, while the flood goes on
        for n in range(3, 9):
            visitors[_post_from(local.base_url, f"127.0.0.{n}")] += 1
        thread.join(timeout=120)
        for n in range(3, 9):  # ...and after it
            visitors[_post_from(local.base_url, f"127.0.0.{n}")] += 1

    assert flood == Counter({201: LIMIT, 403: LIMIT * 2})  # blocked past the limit
    assert visitors == Counter({201: 12})  # nobody else is refused
