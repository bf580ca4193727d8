"""The ``leadsync`` command line: one module per command group (style 13)."""

from connector.cli.app import app, main
from connector.cli.context import CommandContext, begin, not_available

__all__ = ["CommandContext", "app", "begin", "main", "not_available"]
