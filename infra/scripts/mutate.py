"""Mutation testing of the core modules against the unit tier (``make mutate``).

mutmut (3.x) names a mutant after its file's path from the project root and imports the
mutated copy from ``mutants/``; the functions' packages live under ``functions/``, imported as
``intake_common``, ``notify_staff``... So the run happens in a staging copy (``build/mutate``)
with those packages at its root, where both names agree. The report (``build/mutate/report.md``)
gives the score of each module and every survivor not listed as equivalent in
``tests/mutation-equivalents.txt`` (one ``mutant-name  reason`` per line).

    python infra/scripts/mutate.py [module-path ...]   (paths as under functions/)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "build" / "mutate"
MUTMUT = ROOT / ".venv-mutate" / "bin" / "mutmut"
EQUIVALENTS = ROOT / "tests" / "mutation-equivalents.txt"

# The core: each function's logic, the item and limit contracts, the models, the staff and
# alert operations.
CORE = [
    "submit_request/logic.py",
    "notify_staff/logic.py",
    "redrive_alerts/logic.py",
    "intake_common/services/staff.py",
    "intake_common/services/alerts.py",
    "intake_common/domain/item.py",
    "intake_common/domain/limits.py",
    "intake_common/domain/models.py",
]
# The HTTP edge of the API functions: tested mostly in the component tier, and in the unit tier
# enough to be mutated with the core (make mutate runs both).
EDGE = [
    "submit_request/web.py",
    "intake_common/runtime/gateway.py",
]
TARGET = 0.90
COPIED = ["template.yaml", "site", "tests", "infra"]


def stage(modules: list[str]) -> None:
    if STAGE.exists():
        shutil.rmtree(STAGE)
    STAGE.mkdir(parents=True)
    packages = [p.name for p in (ROOT / "functions").iterdir() if (p / "__init__.py").exists()]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in packages:
        shutil.copytree(ROOT / "functions" / name, STAGE / name, ignore=ignore)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, STAGE / name, ignore=ignore)
        else:
            shutil.copy2(source, STAGE / name)
    pyproject = (ROOT / "pyproject.toml").read_text()
    quoted = ", ".join(f'"{m}"' for m in modules)
    also = ", ".join(f'"{n}"' for n in [*COPIED, *packages])
    pyproject += (
        "\n[tool.mutmut]\n"
        f"source_paths = [{quoted}]\n"
        'pytest_add_cli_args_test_selection = ["tests/unit", "tests/contract"]\n'
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
        f"also_copy = [{also}]\n"
    )
    (STAGE / "pyproject.toml").write_text(pyproject)


def equivalents() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in EQUIVALENTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            found[name] = reason.strip()
    return found


def module_of(mutant: str, modules: list[str]) -> str:
    for module in modules:
        dotted = module.removesuffix(".py").replace("/", ".")
        if mutant.startswith(dotted + "."):
            return module
    return "?"


def summarize(
    results: str, modules: list[str], listed: dict[str, str], seconds: float
) -> tuple[str, bool]:
    """The report (markdown) from ``mutmut results --all true``, and whether every module meets
    the target. A listed equivalent counts for neither side; a timeout counts as killed."""
    status: dict[str, str] = {}
    for line in results.splitlines():
        match = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        if match:
            status[match[1]] = match[2].strip()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for mutant, state in sorted(status.items()):
        module = module_of(mutant, modules)
        if state == "survived" and mutant in listed:
            state = "equivalent"
        counts[module][state] += 1
        if state in {"survived", "no tests"}:
            survivors[module].append(mutant)
    lines = [
        f"# Mutation score ({len(status)} mutants, {seconds:.0f} s, unit and contract tiers)",
        "",
        "| module | killed | survived | no tests | timeout | equivalent | score |",
        "|---|---|---|---|---|---|---|",
    ]
    passed = True
    for module in modules:
        c = counts[module]
        real = sum(c.values()) - c["equivalent"]
        score = (c["killed"] + c["timeout"]) / real if real else 1.0
        passed &= score >= TARGET
        lines.append(
            f"| {module} | {c['killed']} | {c['survived']} | {c['no tests']} | {c['timeout']} "
            f"| {c['equivalent']} | {score:.1%} |"
        )
    for module in modules:
        if survivors[module]:
            lines += ["", f"## Survivors in {module}", ""]
            lines += [f"- `{name}`" for name in survivors[module]]
    # A listed name that no longer survives points at a mutant the code has moved or removed:
    # the line may now excuse a different one, so it must be looked at again.
    stale = sorted(
        name
        for name in listed
        if name in status and status[name] != "survived" and module_of(name, modules) != "?"
    )
    if stale:
        lines += ["", "## Listed as equivalent but no longer surviving (re-check these lines)", ""]
        lines += [f"- `{name}` ({status[name]})" for name in stale]
    return "\n".join(lines) + "\n", passed


def report(modules: list[str], seconds: float) -> bool:
    # Our venv's mutmut with fixed arguments.
    out = subprocess.run(  # noqa: S603  # nosec B603
        [str(MUTMUT), "results", "--all", "true"],
        cwd=STAGE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text, passed = summarize(out, modules, equivalents(), seconds)
    (STAGE / "report.md").write_text(text)
    print(text)
    verdict = "met" if passed else "NOT met"
    print(f"report: {STAGE / 'report.md'} (cd build/mutate && mutmut show NAME for a diff)")
    print(f"target {TARGET:.0%} per module: {verdict}")
    return passed


def main(argv: list[str]) -> int:
    modules = argv or [*CORE, *EDGE]
    stage(modules)
    started = time.monotonic()
    # The contract tier starts dynalite from the repository's node_modules, not the stage's.
    env = {**os.environ, "DYNALITE": str(ROOT / "node_modules" / ".bin" / "dynalite")}
    run = subprocess.run([str(MUTMUT), "run"], cwd=STAGE, env=env, check=False)  # noqa: S603
    if run.returncode != 0:
        print(f"mutmut run failed ({run.returncode})", file=sys.stderr)
        return run.returncode
    return 0 if report(modules, time.monotonic() - started) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
