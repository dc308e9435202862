"""optserve: the Python client SDK (`from optserve import Client`) and the `optserve` CLI."""

from optserve.client import APIError, Client, OptserveError

__all__ = ["APIError", "Client", "OptserveError"]
