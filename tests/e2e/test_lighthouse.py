"""Lighthouse (npm, pinned in package.json) on the form pages, English and Spanish, served by the
local stack in Debian's Chromium: at least 0.95 in every category. The local stack serves the
site's files with CloudFront's headers (front_door.py); what it cannot show is CloudFront's
compression and edge latency, so performance here is the page's own weight and work."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.local_stack import Local

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


@pytest.mark.parametrize("path", ["/es/", "/"])
def test_the_form_page_scores_at_least_095_in_every_category(
    local: Local, tmp_path: Path, path: str
) -> None:
    report = tmp_path / "report.json"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            local.base_url + path,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={FLAGS}",
        ],
        check=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        capture_output=True,
    )
    result = json.loads(report.read_text())
    scores = {name: result["categories"][name]["score"] for name in CATEGORIES}
    failing = {
        audit["id"]: audit["score"]
        for audit in result["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9
    }
    assert all(score >= 0.95 for score in scores.values()), (scores, failing)
