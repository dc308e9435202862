"""What an operator sees: JSON logs, request ids, Prometheus metrics."""
