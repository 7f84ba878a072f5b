"""The team's habits stay wired: pre-commit runs what `make lint` runs, the development
environment is locked, and what CI installs is what the lock says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _lint_commands() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    block = makefile.split("\nlint: install\n", 1)[1].split("\n\n", 1)[0]
    # `make lint` names the tree (`.`); pre-commit passes the changed files instead.
    return [
        line.strip().replace("$(VENV)", ".venv").removesuffix(" .") for line in block.splitlines()
    ]


def test_pre_commit_runs_exactly_what_make_lint_runs() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    assert sorted(hooks) == sorted(_lint_commands())


def test_pre_commit_configuration_is_valid() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_development_lock_pins_every_tool_with_hashes() -> None:
    lock = (ROOT / "requirements-dev.lock").read_text()
    pinned = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^ ]+) \\", lock, re.MULTILINE | re.I))
    for tool in ("ruff", "mypy", "pytest", "moto", "cfn-lint", "playwright", "pre-commit"):
        assert tool in pinned, tool
    # Every requirement carries at least one hash (pip then refuses anything else).
    blocks = [b for b in re.split(r"\n(?=[a-z0-9])", lock, flags=re.I) if "==" in b]
    assert all("--hash=sha256:" in block for block in blocks)
    # No machine's index options leak into the lock.
    assert "--extra-index-url" not in lock
    assert "--find-links" not in lock


def test_the_readme_is_short_and_every_documentation_link_leads_somewhere() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # What it is, the two commands, the picture and links; the long parts live in docs/.
    assert len(readme.splitlines()) <= 150
    pages = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "BENCHMARKS.md"]
    pages += sorted((ROOT / "docs").glob("*.md"))
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_no_npm_package_runs_an_install_script() -> None:
    # An install script is code from the registry run with the developer's (or CI's) rights.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line for line in makefile.splitlines() if "npm ci" in line or "npm install" in line]
    assert installs
    assert all("--ignore-scripts" in line for line in installs)
    assert "ignore-scripts=true" in (ROOT / ".npmrc").read_text(encoding="utf-8").splitlines()


def test_every_python_tool_installs_from_a_lock_with_hashes() -> None:
    # aws-sam-cli and checkov live in venvs of their own; they install as the development tools
    # do, every file checked against its hash.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [
        line.strip()
        for line in makefile.splitlines()
        if "pip install" in line and "--upgrade pip" not in line
    ]
    assert installs
    for line in installs:
        assert "--require-hashes" in line or "--no-deps -e ." in line, line
    for lock in ("requirements-sam.lock", "requirements-scan.lock", "requirements-dev.lock"):
        text = (ROOT / lock).read_text(encoding="utf-8")
        pins = [line for line in text.splitlines() if "==" in line and not line.startswith("#")]
        assert pins
        assert all(line.rstrip().endswith("\\") for line in pins), f"{lock}: a pin without hashes"
