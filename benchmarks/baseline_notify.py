"""The bare baseline for notify_staff: boto3, the same clients, get_item, one email, one SMS."""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")
ses = boto3.client("sesv2")
sns = boto3.client("sns")


def lambda_handler(event, context):  # type: ignore[no-untyped-def]
    for record in event["Records"]:
        message = json.loads(record["body"])
        item = dynamodb.get_item(
            TableName=os.environ["TABLE_NAME"],
            Key={"submission_id": {"S": message["request_id"]}},
        )["Item"]
        ses.send_email(
            FromEmailAddress="alerts@example.org",
            Destination={"ToAddresses": ["staff@example.org"]},
            Content={
                "Simple": {
                    "Subject": {"Data": "New request"},
                    "Body": {"Text": {"Data": item["reference"]["S"]}},
                }
            },
        )
        sns.publish(PhoneNumber="+14155550101", Message=item["reference"]["S"])
    return {"batchItemFailures": []}
