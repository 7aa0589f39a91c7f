"""What a bot is: a small class that picks one action for a seat.

A strategy reads the game only through a :class:`RoleView` (so a bot can never peek at another
role's private brief), and takes its randomness from a generator the runner seeds from the game
seed, the role and the step, so a game between bots replays exactly.
"""

from __future__ import annotations

import random
from typing import ClassVar

from negotiation.engine import Action, RoleView


class Strategy:
    """Base class of bot strategies.

    Attributes:
        name: the id used on the command line (``--seat france=bot:NAME``).
        description: one line for the setup screen.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def choose(self, view: RoleView, rng: random.Random) -> Action:
        """The action this bot takes now; ``view.my_turn`` is true."""
        raise NotImplementedError


def bot_rng(seed: int, role: str, step: int) -> random.Random:
    """The random generator a bot uses for one decision."""
    return random.Random(f"{seed}:{role}:{step}:bot")
