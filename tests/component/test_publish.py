"""make publish-site against moto: S3, CloudFront and CloudFormation outputs."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from scripts.publish_site import main, publish

REGION = "us-east-1"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    (tmp_path / "assets" / "site.3f9a1b2c.css").write_text("body{}")
    (tmp_path / "assets" / "search-index.json").write_text("[]")
    return tmp_path


def _deploy_stack(**outputs: str) -> str:
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "site.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all"},
        }
    )["Distribution"]["Id"]
    template = {
        "Resources": {"SiteBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "BucketName": {"Value": {"Ref": "SiteBucket"}},
            "DistributionId": {"Value": distribution},
            **{name: {"Value": value} for name, value in outputs.items()},
        },
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="clinic", TemplateBody=json.dumps(template)
    )
    return distribution


def test_publish_uploads_with_content_types_and_cache_headers_and_invalidates(
    site: Path,
) -> None:
    with mock_aws():
        _deploy_stack()
        session = boto3.Session(region_name=REGION)

        result = publish(session, "clinic", site)

        s3 = boto3.client("s3", region_name=REGION)
        html = s3.head_object(Bucket=result["bucket"], Key="index.html")
        css = s3.head_object(Bucket=result["bucket"], Key="assets/site.3f9a1b2c.css")
        data = s3.head_object(Bucket=result["bucket"], Key="assets/search-index.json")
        assert html["ContentType"] == "text/html; charset=utf-8"
        assert "no-cache" in html["CacheControl"]
        assert css["ContentType"] == "text/css; charset=utf-8"
        assert css["CacheControl"] == "public, max-age=31536000, immutable"
        assert data["CacheControl"] == "public, max-age=300"
        assert result["files"] == 3
        assert result["invalidation"]


def test_missing_stack_is_a_clear_message(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with mock_aws():
        assert main(["--stack", "nope", "--site", str(site), "--region", REGION]) == 1
    error = capsys.readouterr().err
    assert "stack 'nope' was not found" in error
    assert "Traceback" not in error


SITE = Path(__file__).resolve().parents[2] / "site"


def test_the_pages_get_the_stacks_retention_human_check_and_staff_sign_in() -> None:
    # The notice said 365 days whatever RetentionDays was: it is written from the stack now.
    login = "https://clinic-intake-1234.auth.us-east-1.amazoncognito.com"
    with mock_aws():
        _deploy_stack(
            RetentionDays="90",
            BackupRetentionDays="14",
            TurnstileSiteKey="0x4AAA",
            StaffLoginUrl=login,
            StaffUserPoolClientId="4tq1example",
            ClinicHours="Mon-Thu 08:00-18:00",
            ClinicTimezone="America/Chicago",
            CallbackTargetHours="4",
            UrgentCallbackMinutes="30",
        )
        result = publish(boto3.Session(region_name=REGION), "clinic", SITE)

        s3 = boto3.client("s3", region_name=REGION)

        def uploaded(key: str) -> str:
            body: str = s3.get_object(Bucket=result["bucket"], Key=key)["Body"].read().decode()
            return body

        privacy = uploaded("privacy.html")
        assert '<span data-stack="RetentionDays">90</span> days after they arrive' in privacy
        assert privacy.count('<span data-stack="BackupRetentionDays">14</span>') == 2
        assert "365" not in privacy
        # The call-back promise is the deployed target's, on both pages that make it.
        promise = '<span data-stack="CallbackPromise">within 4 hours of our opening hours</span>'
        assert promise in uploaded("thank-you.html")
        assert promise in privacy
        assert '<span data-stack="ClinicHours">Mon-Thu 08:00-18:00</span>' in privacy
        assert '<span data-stack="ClinicTimezone">America/Chicago</span> time' in privacy
        assert 'within <span data-stack="UrgentCallbackMinutes">30</span> minutes' in privacy
        assert "one working day" not in privacy
        assert json.loads(uploaded("assets/config.json")) == {"turnstile_site_key": "0x4AAA"}
        staff = json.loads(uploaded("staff/config.json"))
        assert staff == {"login_url": login, "client_id": "4tq1example", "idle_minutes": 10}
