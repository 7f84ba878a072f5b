"""``intake origin rotate``: a new origin secret, with no request refused on the way.

CloudFront sends the API a secret header (``X-Origin-Verify``); the API functions accept the
secret's ``AWSCURRENT`` value and, while it exists, its ``AWSPREVIOUS`` one, read at most once a
minute (functions/intake_common/runtime/origin.py). So the order is what keeps every request
accepted:

1. put a new value: Secrets Manager makes it ``AWSCURRENT`` and labels the old one
   ``AWSPREVIOUS`` (https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html);
   with the WAF on, its origin rule accepts either value;
2. wait until every function has read both (longer than their one-minute cache);
3. switch CloudFront's origin header to the new value and wait until the distribution is
   ``Deployed`` (every edge location has it:
   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-returned.html),
   then a while longer for requests already on their way;
4. only then retire the old value: the WAF rule accepts the new value only, and the label
   ``AWSPREVIOUS`` is removed, so the functions refuse the old value within a minute.

Run again after an interruption, it finishes the rotation under way instead of starting
another (CloudFront still sending the previous value means step 3 was not reached).
"""

from __future__ import annotations

import argparse
import secrets
import string
import time
from collections.abc import Callable
from typing import Any

from .common import add_target_arguments, target
from .target import Target, TargetError

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"
HEADER = "x-origin-verify"
ORIGIN_RULE = "through-cloudfront-only"
# What GenerateSecretString makes (template.yaml: 48 letters and digits).
_ALPHABET = string.ascii_letters + string.digits
# Longer than the functions' cache of the secret (origin.MAX_AGE_SECONDS, 60 s).
DEFAULT_SETTLE_SECONDS = 90.0


class RotationError(Exception):
    """The rotation stopped; the message says where and what is safe to do next."""


def new_value() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(48))


def _secret_value(where: Target, stage: str) -> tuple[str, str] | None:
    """(value, version id) of the secret's version with ``stage``, or None."""
    client = where.client("secretsmanager")
    try:
        answer = client.get_secret_value(
            SecretId=_output(where, "OriginSecretArn"), VersionStage=stage
        )
    except client.exceptions.ResourceNotFoundException:
        return None
    return str(answer["SecretString"]), str(answer["VersionId"])


def _output(where: Target, name: str) -> str:
    value = where.outputs.get(name)
    if not value:
        raise TargetError(
            f"the stack has no output {name}: deploy this version of the template first"
        )
    return value


def _api_origin_headers(config: dict[str, Any]) -> list[dict[str, str]]:
    """The custom headers of the distribution's API origin (template.yaml: Id ``api``)."""
    origin = next(o for o in config["Origins"]["Items"] if o["Id"] == "api")
    items: list[dict[str, str]] = origin.get("CustomHeaders", {}).get("Items", [])
    return items


def cloudfront_sends(where: Target) -> str:
    cloudfront = where.client("cloudfront")
    config = cloudfront.get_distribution_config(Id=_output(where, "DistributionId"))
    for header in _api_origin_headers(config["DistributionConfig"]):
        if header["HeaderName"].lower() == HEADER:
            return header["HeaderValue"]
    raise RotationError("the distribution's API origin sends no X-Origin-Verify header")


def switch_cloudfront(where: Target, value: str, wait: Callable[[], None]) -> None:
    cloudfront = where.client("cloudfront")
    distribution = _output(where, "DistributionId")
    answer = cloudfront.get_distribution_config(Id=distribution)
    config = answer["DistributionConfig"]
    for header in _api_origin_headers(config):
        if header["HeaderName"].lower() == HEADER:
            header["HeaderValue"] = value
    cloudfront.update_distribution(
        Id=distribution, IfMatch=answer["ETag"], DistributionConfig=config
    )
    wait()


_WEB_ACL_SETTINGS = (
    "DefaultAction",
    "Description",
    "VisibilityConfig",
    "DataProtectionConfig",
    "CustomResponseBodies",
    "CaptchaConfig",
    "ChallengeConfig",
    "TokenDomains",
    "AssociationConfig",
)


def _waf_statement(values: list[str]) -> dict[str, Any]:
    """The origin rule's statement: block unless the header is exactly one of ``values``."""
    matches = [
        {
            "ByteMatchStatement": {
                "FieldToMatch": {"SingleHeader": {"Name": HEADER}},
                "PositionalConstraint": "EXACTLY",
                "SearchString": value.encode(),
                "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
            }
        }
        for value in values
    ]
    inner = matches[0] if len(matches) == 1 else {"OrStatement": {"Statements": matches}}
    return {"NotStatement": {"Statement": inner}}


def switch_waf(where: Target, values: list[str]) -> bool:
    """Make the WAF's origin rule accept exactly ``values``; False when the WAF is off."""
    arn = where.outputs.get("WebAclArn")
    if not arn:
        return False
    waf = where.client("wafv2")
    # arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID
    name, acl_id = arn.split("/")[-2:]
    found = waf.get_web_acl(Name=name, Scope="REGIONAL", Id=acl_id)
    acl = found["WebACL"]
    rules = acl["Rules"]
    for rule in rules:
        if rule["Name"] == ORIGIN_RULE:
            rule["Statement"] = _waf_statement(values)
    # UpdateWebACL replaces the whole configuration: everything else is sent back unchanged.
    # https://docs.aws.amazon.com/waf/latest/APIReference/API_UpdateWebACL.html
    update = {key: acl[key] for key in _WEB_ACL_SETTINGS if acl.get(key)}
    waf.update_web_acl(
        Name=name, Scope="REGIONAL", Id=acl_id, LockToken=found["LockToken"], Rules=rules, **update
    )
    return True


def rotate(
    where: Target,
    settle: float = DEFAULT_SETTLE_SECONDS,
    say: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Rotate the origin secret (the steps in this module's docstring); the new value's
    version id. Every step says what it did, and what is safe if it is the last one."""
    arn = _output(where, "OriginSecretArn")
    current = _secret_value(where, CURRENT)
    if current is None:
        raise RotationError("the origin secret has no current value")
    previous = _secret_value(where, PREVIOUS)
    sent = cloudfront_sends(where)
    if previous is not None and sent == previous[0]:
        say("A rotation was under way (CloudFront still sends the previous value): finishing it.")
    else:
        if sent != current[0]:
            raise RotationError(
                "CloudFront sends neither the current nor the previous value of the origin "
                "secret: every request is refused now. Redeploy the stack (sam deploy) to "
                "restore the header, then rotate."
            )
        where.client("secretsmanager").put_secret_value(SecretId=arn, SecretString=new_value())
        current, previous = _secret_value(where, CURRENT), _secret_value(where, PREVIOUS)
        if current is None or previous is None or previous[0] != sent:
            raise RotationError("Secrets Manager did not label the values as expected: retry")
        say("1/4 New origin secret stored; the API accepts the old and the new value.")
    if switch_waf(where, [previous[0], current[0]]):
        say("    The WAF's origin rule accepts both values.")
    say(f"2/4 Waiting {settle:.0f} s for every function to read the new value...")
    sleep(settle)
    cloudfront = where.client("cloudfront")
    distribution = _output(where, "DistributionId")
    switch_cloudfront(
        where,
        current[0],
        lambda: cloudfront.get_waiter("distribution_deployed").wait(
            Id=distribution, WaiterConfig={"Delay": 20 if not where.local else 1, "MaxAttempts": 90}
        ),
    )
    say(f"3/4 CloudFront sends the new value (distribution deployed); waiting {settle:.0f} s more.")
    sleep(settle)
    if switch_waf(where, [current[0]]):
        say("    The WAF's origin rule accepts the new value only.")
    where.client("secretsmanager").update_secret_version_stage(
        SecretId=arn, VersionStage=PREVIOUS, RemoveFromVersionId=previous[1]
    )
    say("4/4 The previous value is retired: within a minute, the API accepts the new one only.")
    return current[1]


def _rotate(args: argparse.Namespace) -> int:
    try:
        rotate(target(args), settle=args.settle)
    except RotationError as exc:
        print(f"Rotation stopped: {exc}")
        return 1
    print("The origin secret is rotated.")
    return 0


def register(commands: Any) -> None:
    origin = commands.add_parser("origin", help="ops: the secret header CloudFront sends the API")
    actions = origin.add_subparsers(dest="action", required=True)
    rotate_parser = actions.add_parser(
        "rotate", help="a new origin secret; no request is refused while it changes"
    )
    add_target_arguments(rotate_parser)
    rotate_parser.add_argument(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE_SECONDS,
        help="seconds to wait for the functions to read the new value (default 90)",
    )
    rotate_parser.set_defaults(func=_rotate)
