"""The alert queue and its dead-letter queue, as the staff operations use them
(``ports.AlertQueues``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsAlertQueues:
    """The alert queue and its DLQ: removing what is queued about an erased request."""

    def __init__(self, urls: list[str], client: SQSClient, rounds: int = 10) -> None:
        self.urls = urls
        self.client = client
        self.rounds = rounds

    def remove_messages_about(self, submission_id: str) -> int:
        return sum(self._remove(url, submission_id) for url in self.urls)

    def _remove(self, url: str, submission_id: str) -> int:
        """Best effort: a message in flight at this moment is hidden from receive."""
        removed = 0
        others: list[str] = []
        for _ in range(self.rounds):
            messages = self.client.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                if submission_id in message["Body"]:
                    self.client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    removed += 1
                else:
                    others.append(message["ReceiptHandle"])
        for handle in others:  # give back what was not ours at once
            self.client.change_message_visibility(
                QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0
            )
        return removed
