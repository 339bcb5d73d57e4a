"""Tracker adapters: wire formats in, domain values out."""
