"""``python -m negotiation``: the same as the ``negotiation`` command."""

from negotiation.cli import entry

entry()
