"""Checks: a notebook's parameters before any work, and a re-executed notebook against its record."""
