"""Code both functions need: the request model, the alert message contract, settings."""
