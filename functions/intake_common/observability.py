"""Powertools Logger, Metrics and Tracer, built once for both functions.

Service name, namespace and log level come from the ``POWERTOOLS_*`` environment the template
sets. Log keyword fields (ids, codes, counts), never a submitted value or the event.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(log_uncaught_exceptions=False)
metrics = Metrics()
tracer = Tracer()
