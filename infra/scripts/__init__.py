"""Release and development scripts: run with the project venv (`make lock`, `make load`, ...)."""
