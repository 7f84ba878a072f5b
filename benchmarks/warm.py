"""Warm requests, in this process: a target's handler over many events, AWS faked.

Prints JSON with the per-event times (microseconds) percentiles.
"""

from __future__ import annotations

import json
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from benchmarks.targets import Context, load, prepare, quiet_logs


def main(target: str, count: int) -> None:
    prepare()
    real_stdout = sys.stdout
    quiet_logs()
    handler, make_event = load(target)
    context = Context()
    events = [make_event() for _ in range(count + 200)]
    for event in events[:200]:  # warm up: lazy imports, caches
        response = handler(event, context)
        assert response.get("statusCode", 200) in {200, 201}, response
        assert not response.get("batchItemFailures"), response
    timings = []
    for event in events[200:]:
        started = time.perf_counter_ns()
        handler(event, context)
        timings.append((time.perf_counter_ns() - started) / 1000)
    timings.sort()
    real_stdout.write(
        json.dumps(
            {
                "count": count,
                "p50_us": timings[len(timings) // 2],
                "p99_us": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
                "mean_us": sum(timings) / len(timings),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
