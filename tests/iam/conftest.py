"""The IAM check evaluates the calls against the test stack's resolved policies."""

from tests.support import environment

environment.prepare()
