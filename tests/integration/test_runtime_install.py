"""The ops tool installs and runs with the runtime dependencies alone.

A fresh venv gets ``pip install .`` (no extras: boto3, Powertools, pydantic and the
validators), which must leave out the local emulator's moto, werkzeug and PyYAML; its
``intake`` then runs the staff and ops commands against the local stack.
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest
import requests

from tests.support.data import valid_fields
from tests.support.local_stack import ROOT, Local


@pytest.fixture(scope="module")
def runtime_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("runtime-venv")
    venv.create(home, with_pip=True)
    pip = home / "bin" / "pip"
    built = subprocess.run(
        [str(pip), "install", "--quiet", "--disable-pip-version-check", ROOT],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    return home


def test_the_runtime_install_has_no_development_dependencies(runtime_venv: Path) -> None:
    python = runtime_venv / "bin" / "python"
    for module in ("moto", "werkzeug", "yaml", "pytest"):
        found = subprocess.run(
            [str(python), "-c", f"import {module}"], capture_output=True, check=False
        )
        assert found.returncode != 0, f"{module} is installed without the dev extras"


def test_the_ops_commands_run_against_the_local_stack_without_the_dev_extras(
    runtime_venv: Path, local: Local
) -> None:
    intake = str(runtime_venv / "bin" / "intake")
    fields = valid_fields(full_name="Runtime Install")
    answer = requests.post(f"{local.base_url}/api/appointments", json=fields, timeout=10)
    reference = answer.json()["reference"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [intake, *args, "--local", local.base_url],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    listed = run("requests", "list")
    assert listed.returncode == 0, listed.stderr
    assert reference in listed.stdout
    shown = run("requests", "show", reference)
    assert shown.returncode == 0, shown.stderr
    assert "Runtime Install" in shown.stdout
    assert run("alerts", "redrive", "--grace-minutes", "60").returncode == 0
    assert run("dlq", "redrive").returncode == 0
    smoke = run("smoke", "--timeout", "60")
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "PASSED" in smoke.stdout
