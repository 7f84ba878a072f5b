"""The SQS event source mapping, as Lambda runs it: poll the queue, invoke the function with a
batch, delete what succeeded; what failed (partial batch response, or the whole batch if the
function raised) comes back after the visibility timeout, and SQS moves it to the DLQ after
``maxReceiveCount`` receives.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from intake_common.runtime.events import received_sqs_event

from .aws import REGION
from .functions import LocalFunctions
from .template import sqs_event_source


class SqsEventSource:
    def __init__(
        self,
        functions: LocalFunctions,
        function: str,
        *,
        retry_delay: int | None,
        poll_interval: float,
    ) -> None:
        stack = functions.stack
        self.functions = functions
        self.function = function
        self.source = sqs_event_source(stack.template, function)
        queue = self.source["QueueLogicalId"]
        self.url = stack.physical[queue]
        self.arn = stack.attributes[(queue, "Arn")]
        # Seconds before a failed message is received again; None: the queue's visibility
        # timeout, as with Lambda. A short delay makes retries visible in development.
        self.retry_delay = retry_delay
        self.poll_interval = poll_interval

    def run(self, stop: threading.Event) -> None:
        import boto3

        sqs = boto3.client("sqs", region_name=REGION)
        while not stop.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=self.url,
                    MaxNumberOfMessages=int(self.source.get("BatchSize", 10)),
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                if not messages:
                    stop.wait(self.poll_interval)
                    continue
                failed = self._deliver(messages)
                self._settle(sqs, messages, failed)
            except Exception as exc:  # keep polling, as the managed poller does
                print(f"sqs poller: {type(exc).__name__}", file=sys.stderr, flush=True)
                stop.wait(1)

    def _deliver(self, messages: list[Any]) -> set[str]:
        """Run the function on a batch; the ids it failed (all of them if it raised)."""
        event = received_sqs_event(messages, self.arn, REGION)
        try:
            result = self.functions.invoke(self.function, event)
        except Exception:
            return {m["MessageId"] for m in messages}
        if "ReportBatchItemFailures" not in self.source.get("FunctionResponseTypes", []):
            return set()
        return {failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])}

    def _settle(self, sqs: Any, messages: list[Any], failed: set[str]) -> None:
        """Delete what succeeded; what failed comes back after the visibility timeout."""
        if failed and self.retry_delay is not None:
            sqs.change_message_visibility_batch(
                QueueUrl=self.url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m["ReceiptHandle"],
                        "VisibilityTimeout": self.retry_delay,
                    }
                    for i, m in enumerate(messages)
                    if m["MessageId"] in failed
                ],
            )
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
