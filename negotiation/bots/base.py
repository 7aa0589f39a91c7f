"""What a bot is: a small class that picks one action for a seat.

A strategy reads the game only through a :class:`RoleView` (so a bot can never peek at another
role's private brief), and takes its randomness from a generator the runner seeds from the game
seed, the role and the step, so a game between bots replays exactly.
"""

from __future__ import annotations

import random
from typing import ClassVar

from negotiation.engine import Action, RoleView
from negotiation.engine.view import Asking


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
        return view.settle(self.decide(view, rng))

    def decide(self, view: RoleView, rng: random.Random) -> Asking[Action]:
        """:meth:`choose` as a generator that yields the scoring questions it asks of the view
        (its ``amendment_scores`` and ``pledge_option_scores``) and is sent their answers.

        A simulation decides for many games at once this way, and answers all their
        questions together. A strategy needs only one of the two methods: by default each
        is made of the other.
        """
        if type(self).choose is Strategy.choose:
            raise NotImplementedError(f"{type(self).__name__} defines neither choose nor decide")
        return self.choose(view, rng)
        yield  # type: ignore[unreachable]  # pragma: no cover - a generator that asks nothing


def bot_rng(seed: int, role: str, step: int) -> random.Random:
    """The random generator a bot uses for one decision."""
    return random.Random(f"{seed}:{role}:{step}:bot")
