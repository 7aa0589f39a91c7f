"""A terminal negotiation game: a coalition of the willing bargains over a security guarantee
for Ukraine, and a rules engine scores how credible the deal would be."""

from negotiation._startup import skip_plugin_discovery

__version__ = "0.1.0"

DEFAULT_SCENARIO = "paris-2025"
"""The scenario a new game opens with."""

MAX_ROUNDS = 50
"""The most rounds a game may be given (by a scenario, or for one game)."""

skip_plugin_discovery()
