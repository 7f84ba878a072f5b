"""Code the functions and the ``intake`` tool share, by role: ``domain`` (the request, the
tables' items and rules, the alert messages), ``services`` (operations shared by a function and
the tool), ``aws`` (the adapters) and ``runtime`` (settings, observability, the API's edge,
SnapStart)."""
