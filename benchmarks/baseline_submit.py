"""The bare baseline for submit_request: boto3, the same clients, json.loads, put_item, publish."""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")
sns = boto3.client("sns")


def lambda_handler(event, context):  # type: ignore[no-untyped-def]
    body = json.loads(event["body"])
    dynamodb.put_item(
        TableName=os.environ["TABLE_NAME"],
        Item={"submission_id": {"S": body["submission_id"]}, "body": {"S": event["body"]}},
    )
    sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=body["submission_id"])
    return {"statusCode": 201, "body": json.dumps({"id": body["submission_id"]})}
