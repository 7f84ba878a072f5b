"""The Powertools metrics a test made the code emit, read and cleared."""

from __future__ import annotations

from intake_common.runtime.observability import metrics


def counted() -> dict[str, tuple[str, list[float]]]:
    """The metrics recorded since the last clear: name -> (unit, values); then cleared."""
    found = {name: (m["Unit"], list(m["Value"])) for name, m in metrics.metric_set.items()}
    metrics.clear_metrics()
    return found
