"""One cold start, in this fresh process: import a target's handler and serve its first event.

Prints JSON: the time to import, the time of the first event, and the peak RSS (KiB).
"""

from __future__ import annotations

import json
import resource
import sys
import time

started = time.perf_counter()
sys.path.insert(0, __file__.rsplit("/", 2)[0])
from benchmarks.targets import Context, load, prepare, quiet_logs  # noqa: E402

prepare()
real_stdout = sys.stdout
quiet_logs()
handler, make_event = load(sys.argv[1])
imported = time.perf_counter()
response = handler(make_event(), Context())
served = time.perf_counter()
status = response.get("statusCode", 200)
assert status in {200, 201}, response
assert not response.get("batchItemFailures"), response
real_stdout.write(
    json.dumps(
        {
            "import_ms": (imported - started) * 1000,
            "first_event_ms": (served - imported) * 1000,
            "total_ms": (served - started) * 1000,
            "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
    )
)
