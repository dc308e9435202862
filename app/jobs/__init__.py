"""Asynchronous jobs: persistence, execution (embedded or Celery), recovery."""
