"""``python -m connector.cli``: the same as the ``leadsync`` command."""

from connector.cli.app import main

main()
