"""Powertools Logger and Metrics, built once and shared by every function.

Service name, namespace and log level come from the ``POWERTOOLS_*`` environment the template
sets. Log keyword fields (ids, codes, counts), never a submitted value or the event.

Tracing: the functions run with Lambda's active X-Ray tracing (``Tracing: Active`` in the
template), which records every invocation and its cold start. Powertools' Tracer is not used:
it imports the X-Ray SDK, whose recorder builds two botocore clients at import. Measured with
``make bench``, that was 190 ms (30 %) of submit_request's cold start and 3.5 MB of the
bundle, for per-call subsegments that a visitor waiting on a cold start pays for. See
BENCHMARKS.md; to bring it back, add ``Tracer`` here and the ``tracer`` extra.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger(log_uncaught_exceptions=False)
metrics = Metrics()
