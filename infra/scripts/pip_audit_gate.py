"""Run pip-audit on a lock file and say plainly how much it could audit.

pip-audit asks a vulnerability database (PyPI's JSON API or OSV) about each pinned package.
Where that database cannot be reached (a network that only mirrors the package index), it
audits nothing and would still exit 0: this wrapper prints how many packages were audited,
fails on any known vulnerability, and fails when it could audit none unless
``PIP_AUDIT_OFFLINE_OK=1`` says that is expected on this network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main(lock: str) -> int:
    completed = subprocess.run(  # noqa: S603 - pip-audit with our own arguments
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            lock,
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        print(completed.stdout + completed.stderr, file=sys.stderr)
        return 1
    packages = report.get("dependencies", [])
    audited = [p for p in packages if "skip_reason" not in p]
    vulnerable = [p for p in audited if p.get("vulns")]
    for package in vulnerable:
        ids = ", ".join(v["id"] for v in package["vulns"])
        print(f"VULNERABLE {package['name']}=={package['version']}: {ids}")
    print(
        f"pip-audit: {len(audited)} of {len(packages)} pinned packages audited, "
        f"{len(vulnerable)} with known vulnerabilities."
    )
    if vulnerable:
        return 1
    if packages and not audited:
        print(
            "pip-audit could not reach a vulnerability database from this network: "
            "nothing was audited."
        )
        return 0 if os.environ.get("PIP_AUDIT_OFFLINE_OK") == "1" else 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1]))
