"""The domain: the request, the three tables' items and their rules, the alert messages, the
words visitors read. No AWS and no Lambda here."""
