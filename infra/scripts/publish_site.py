"""Publish ``site/`` to a deployed stack: upload to its bucket, then invalidate CloudFront.

``make publish-site STACK=clinic-intake`` runs it. The bucket and the distribution come from the
stack's outputs (``BucketName``, ``DistributionId``). HTML is never cached by browsers or
CloudFront (it names the current assets); fingerprinted assets (``name.0123abcd.css``) are
cached for a year; other files for five minutes.
"""

from __future__ import annotations

import argparse
import mimetypes
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from intake_local.site import VALUES, render

ROOT = Path(__file__).resolve().parents[2]
_FINGERPRINT = re.compile(r"\.[0-9a-f]{8,}\.[a-z0-9]+$")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}


class StackError(Exception):
    """The stack or one of its outputs is missing."""


@dataclass(frozen=True)
class Upload:
    key: str
    content_type: str
    cache_control: str


def plan(site: Path) -> list[tuple[Path, Upload]]:
    """Every file of the site with its key, content type and cache policy."""
    uploads = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        key = path.relative_to(site).as_posix()
        content_type = _TYPES.get(path.suffix) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        if path.suffix == ".html":
            cache = "no-cache, max-age=0, must-revalidate"
        elif _FINGERPRINT.search(path.name):
            cache = "public, max-age=31536000, immutable"
        else:
            cache = "public, max-age=300"
        uploads.append((path, Upload(key, content_type, cache)))
    return uploads


def stack_outputs(session: Any, stack: str) -> dict[str, str]:
    cloudformation = session.client("cloudformation")
    try:
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except Exception as exc:
        raise StackError(f"stack {stack!r} was not found: {type(exc).__name__}") from exc
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def publish(session: Any, stack: str, site: Path) -> dict[str, Any]:
    """Upload the site and invalidate the distribution; return what was done."""
    outputs = stack_outputs(session, stack)
    missing = {"BucketName", "DistributionId"} - set(outputs)
    if missing:
        raise StackError(f"stack {stack!r} has no output {', '.join(sorted(missing))}")
    s3 = session.client("s3")
    uploads = plan(site)
    if not uploads:
        raise StackError(f"{site} holds no files to publish")
    # The privacy notice's retention and the form's human check come from the stack.
    values = {name: outputs[name] for name in VALUES if name in outputs}
    for path, upload in uploads:
        s3.put_object(
            Bucket=outputs["BucketName"],
            Key=upload.key,
            Body=render(upload.key, path.read_bytes(), values),
            ContentType=upload.content_type,
            CacheControl=upload.cache_control,
        )
    invalidation = session.client("cloudfront").create_invalidation(
        DistributionId=outputs["DistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"publish-{time.time_ns()}",
        },
    )
    return {
        "bucket": outputs["BucketName"],
        "files": len(uploads),
        "invalidation": invalidation["Invalidation"]["Id"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="the deployed stack's name")
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--region")
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region, profile_name=args.profile)
    try:
        result = publish(session, args.stack, args.site)
    except StackError as exc:
        print(f"publish-site: {exc}", file=sys.stderr)
        return 1
    print(
        f"Uploaded {result['files']} files to s3://{result['bucket']}/; "
        f"CloudFront invalidation {result['invalidation']} started."
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
