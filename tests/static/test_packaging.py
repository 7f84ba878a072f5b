"""What `sam build` bundles stays in step with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+(\[[^\]]+\])?", requirement.strip())
    assert match is not None
    return match.group(0).lower()


def test_bundled_requirements_are_the_runtime_dependencies_minus_boto3() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {dep.replace(" ", "") for dep in project["dependencies"] if _name(dep) != "boto3"}
    lines = (ROOT / "functions" / "requirements.txt").read_text().splitlines()
    bundled = {line.replace(" ", "") for line in lines if line and not line.startswith("#")}
    assert bundled == runtime


def test_every_template_handler_module_exists() -> None:
    from intake_local.template import load_template

    for resource in load_template()["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            module, _, function = resource["Properties"]["Handler"].rpartition(".")
            path = ROOT / "functions" / (module.replace(".", "/") + ".py")
            assert path.exists(), path
            assert f"def {function}(" in path.read_text()


def test_the_lock_pins_every_bundled_requirement_with_its_hash() -> None:
    text = (ROOT / "functions" / "requirements.lock").read_text()
    entries = re.findall(
        r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:([0-9a-f]{64})$", text, re.M
    )
    pinned = {name.lower().replace("_", "-") for name, _, _ in entries}
    wanted = {
        _name(line).split("[")[0].replace("_", "-")
        for line in (ROOT / "functions" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert wanted <= pinned
    # Every requirement line has its hash (the build installs with --require-hashes)
    requirement_lines = [line for line in text.splitlines() if "==" in line]
    assert len(requirement_lines) == len(entries)
    assert "--require-hashes" in (ROOT / "functions" / "Makefile").read_text()
