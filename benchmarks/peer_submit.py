"""The peer: what a team would start from. Written anew from the behaviour of the official AWS
sample handler for API Gateway + Lambda + DynamoDB (aws-samples/serverless-test-samples,
python-test-samples/apigw-lambda-dynamodb/src/app.py): a boto3 resource built on every call,
the body stored as it came, without validation, and a print for the log."""

import json
from datetime import datetime
from os import environ

import boto3


def lambda_handler(event, context):  # type: ignore[no-untyped-def]
    table_name = environ["TABLE_NAME"]
    dynamodb = boto3.resource("dynamodb")
    table = dynamodb.Table(table_name)
    print(f"Using DynamoDB Table {table_name}.")
    body = json.loads(event["body"])
    stamp = "DT#" + datetime.now().strftime("%Y%m%dT%H%M%S.%f")
    table.put_item(Item={"PK": body["submission_id"], "SK": stamp, "data": event["body"]})
    print(f"Stored {body['submission_id']} - {stamp}")
    return {"statusCode": 201, "body": json.dumps({"id": body["submission_id"]})}
