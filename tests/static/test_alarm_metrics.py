"""Every alarm on the application's own metrics watches a metric its function really emits, and
every function that emits an alarmed metric has an alarm watching it.

An alarm matches a CloudWatch metric by namespace, name and every dimension, so an alarm whose
``service`` dimension names another function, or whose metric was renamed in the code, stays
quiet forever. Powertools adds the ``service`` dimension from ``POWERTOOLS_SERVICE_NAME``.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
https://docs.powertools.aws.dev/lambda/python/latest/core/metrics/
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from tests.support.iam import transformed_template

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
NAMESPACE = "ClinicIntake"


def _module_file(name: str) -> Path | None:
    path = FUNCTIONS.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(file: Path, module: str) -> set[str]:
    """The modules of ours that ``module`` (in ``file``) imports, relative imports resolved."""
    package = module if file.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return {name for name in found if _module_file(name) is not None}


def _emitted(file: Path) -> set[str]:
    """Metric names passed literally to ``add_metric(name=...)`` or ``single_metric(name=...)``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        callee = getattr(function, "attr", None) or getattr(function, "id", "")
        if callee not in {"add_metric", "single_metric"}:
            continue
        for keyword in node.keywords:
            if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                names.add(str(keyword.value.value))
    return names


def metrics_of(handler_module: str) -> set[str]:
    """Every metric name the code a handler can reach emits (its own package and the shared
    modules it imports, followed transitively)."""
    seen: set[str] = set()
    todo = [handler_module]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        file = _module_file(module)
        assert file is not None, module
        todo.extend(_imports(file, module) - seen)
    return set().union(*(_emitted(f) for m in seen if (f := _module_file(m)) is not None))


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    result: dict[str, Any] = transformed_template()["Resources"]
    return result


@pytest.fixture(scope="module")
def emitted_by_service(resources: dict[str, Any]) -> dict[str, set[str]]:
    """service name (the metrics' dimension) -> metric names its function's code emits."""
    found: dict[str, set[str]] = {}
    for resource in resources.values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        variables = resource["Properties"].get("Environment", {}).get("Variables", {})
        service = variables.get("POWERTOOLS_SERVICE_NAME")
        if service is None:
            continue
        handler = resource["Properties"]["Handler"].rpartition(".")[0]
        found[service] = metrics_of(handler)
    return found


@pytest.fixture(scope="module")
def alarmed(resources: dict[str, Any]) -> set[tuple[str, str]]:
    """(metric name, service) of every alarm on the application's namespace."""
    pairs: set[tuple[str, str]] = set()
    for name, resource in resources.items():
        properties = resource["Properties"]
        if resource["Type"] != "AWS::CloudWatch::Alarm" or properties.get("Namespace") != NAMESPACE:
            continue
        dimensions = {d["Name"]: d["Value"] for d in properties.get("Dimensions", [])}
        assert set(dimensions) == {"service"}, (name, dimensions)  # the only dimension we emit
        pairs.add((properties["MetricName"], dimensions["service"]))
    return pairs


def test_the_reader_finds_metrics_in_shared_modules_and_relative_imports() -> None:
    # The shared announce() emits AlertPublishFailed; both functions that publish reach it.
    assert "AlertPublishFailed" in metrics_of("submit_request.handler")
    assert "AlertPublishFailed" in metrics_of("redrive_alerts.handler")
    assert "AlertNotDelivered" in metrics_of("notify_staff.handler")  # via .logic
    assert "AlertNotDelivered" not in metrics_of("submit_request.handler")


def test_every_alarm_watches_a_metric_its_function_emits(
    alarmed: set[tuple[str, str]], emitted_by_service: dict[str, set[str]]
) -> None:
    assert len(alarmed) >= 8
    for metric, service in sorted(alarmed):
        assert service in emitted_by_service, f"no function is named {service!r}"
        assert metric in emitted_by_service[service], f"{service} never emits {metric}"


def test_every_function_emitting_an_alarmed_metric_is_watched(
    alarmed: set[tuple[str, str]], emitted_by_service: dict[str, set[str]]
) -> None:
    watched = {metric for metric, _ in alarmed}
    for service, metrics in sorted(emitted_by_service.items()):
        for metric in sorted(metrics & watched):
            assert (metric, service) in alarmed, f"{service} emits {metric}; no alarm hears it"
