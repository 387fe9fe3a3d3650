"""Command-line entry points, one per ``make`` target: ``python -m utils.commands.<target>``."""
