"""A rotation of the origin secret on the local stack while visitors keep sending requests:
none is refused (issue 21). The front door sends what the local CloudFront's distribution says
(intake_local/distribution.py), the functions read the secret as deployed ones do, only with a
one-second cache instead of a minute, and `intake origin rotate` waits accordingly."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import requests

from tests.support.data import valid_fields
from tests.support.local_stack import running_local


def test_a_rotation_under_load_refuses_no_request(capsys: Any) -> None:
    from intake_cli.main import main

    with running_local("--origin-secret-max-age", "1") as local:
        secrets = local.client("secretsmanager")
        secret = local.health["stack"]["origin_secret"]
        old = secrets.get_secret_value(SecretId=secret)["SecretString"]
        statuses: Counter[int] = Counter()
        phases: Counter[str] = Counter()
        stop = threading.Event()
        rotating = threading.Event()

        def visitor() -> None:
            with requests.Session() as session:
                while not stop.is_set():
                    answer = session.post(
                        f"{local.base_url}/api/appointments", json=valid_fields(), timeout=10
                    )
                    statuses[answer.status_code] += 1
                    phases["during" if rotating.is_set() else "before"] += 1

        visitors = [threading.Thread(target=visitor) for _ in range(2)]
        for thread in visitors:
            thread.start()
        try:
            time.sleep(1)
            rotating.set()
            # settle 3 s: longer than the functions' 1 s cache, as 90 s is than 60 s in AWS.
            code = main(["origin", "rotate", "--local", local.base_url, "--settle", "3"])
            time.sleep(2)  # the retired value's last cached second, and then some
        finally:
            stop.set()
            for thread in visitors:
                thread.join(timeout=15)
        new = secrets.get_secret_value(SecretId=secret)["SecretString"]
        distribution = local.health["stack"]["distribution"]
        config = local.client("cloudfront").get_distribution_config(Id=distribution)
        (header,) = config["DistributionConfig"]["Origins"]["Items"][0]["CustomHeaders"]["Items"]

    out = capsys.readouterr().out
    with capsys.disabled():  # the figures the closing note quotes
        print(f"\nrotation under load: {dict(statuses)} ({dict(phases)})")
    assert code == 0, out
    assert "4/4" in out
    assert new != old
    assert header["HeaderValue"] == new  # CloudFront sends the new value
    # Requests flowed the whole time, and not one was refused.
    assert phases["during"] >= 20, phases
    assert statuses == Counter({201: sum(statuses.values())}), statuses
