"""What runs a function in Lambda: settings, logging and metrics, the API's edge, SnapStart."""
