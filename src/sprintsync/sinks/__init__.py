"""Destinations: idempotent publishing of a rendered report."""
