"""Staffing algorithms: offered loads, stability, the minimum-cost search."""
