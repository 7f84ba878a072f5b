"""One cold start, in this fresh process: init (import the handler and, with ``prime``, run the
SnapStart priming hooks), then the first event.

Usage: ``coldstart.py TARGET [prime]``. Prints JSON: init (CPU time of this process, which
other processes on a noisy machine inflate less than wall time), the first and the second
event (wall time: each is a few milliseconds), and the peak RSS (KiB).
"""

from __future__ import annotations

import json
import resource
import sys
import time

cpu_started, wall_started = time.process_time(), time.perf_counter()
sys.path.insert(0, __file__.rsplit("/", 2)[0])
from benchmarks.targets import Context, load, prepare, quiet_logs  # noqa: E402

prepare()
real_stdout = sys.stdout
quiet_logs()
handler, make_event = load(sys.argv[1], prime=sys.argv[2:] == ["prime"])
event = make_event()
cpu_init, wall_init = time.process_time(), time.perf_counter()
response = handler(event, Context())
cpu_served, wall_served = time.process_time(), time.perf_counter()
second = make_event()
wall_second = time.perf_counter()
handler(second, Context())
wall_after_second = time.perf_counter()
status = response.get("statusCode", 200)
assert status in {200, 201}, response
assert not response.get("batchItemFailures"), response
real_stdout.write(
    json.dumps(
        {
            "init_ms": (cpu_init - cpu_started) * 1000,
            "first_event_cpu_ms": (cpu_served - cpu_init) * 1000,
            "first_event_ms": (wall_served - wall_init) * 1000,
            "second_event_ms": (wall_after_second - wall_second) * 1000,
            "total_ms": (cpu_served - cpu_started) * 1000,
            "wall_total_ms": (wall_served - wall_started) * 1000,
            "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
    )
)
