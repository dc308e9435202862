"""optserve SDK and CLI."""
