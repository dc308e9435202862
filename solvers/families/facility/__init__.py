"""Facility-location algorithms: data preparation, bounds, transport, search, the MIP model."""
