"""Browser seats: the game's own screens served to a browser with textual-serve.

A student with no Python opens the address in a browser; each browser tab runs
``negotiation join`` on the server machine (connected to the game server over loopback), drawn
in the page. The join screen asks for the code, as it does in a terminal.

textual-serve is an optional extra (``pip install 'negotiation[web]'``): it brings aiohttp.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any


class WebUnavailable(RuntimeError):
    """textual-serve is not installed."""


def seat_command(game_url: str) -> str:
    """The command each browser tab runs: the join screen of this server's games."""
    return " ".join(
        shlex.quote(part) for part in (sys.executable, "-m", "negotiation", "join", game_url)
    )


async def start_web(game_url: str, host: str, port: int) -> Any:
    """Serve browser seats on ``host:port``; returns the aiohttp runner (``cleanup()`` stops it).

    Raises:
        WebUnavailable: textual-serve is missing.
        OSError: the port cannot be listened on.
    """
    try:
        from aiohttp import web
        from textual_serve.server import Server
    except ImportError:
        raise WebUnavailable(
            "browser seats need textual-serve: pip install 'negotiation[web]'"
        ) from None

    class SeatServer(Server):
        """textual-serve, with the page's addresses taken from the address the browser used
        (a classroom reaches the server by its LAN address, the facilitator by localhost)."""

        async def on_startup(self, app: web.Application) -> None:
            """(textual-serve prints its logo here; the game server says where it is.)"""

        async def handle_index(self, request: web.Request) -> Any:
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

    seats = SeatServer(
        seat_command(game_url), host=host, port=port, title="Coalition of the Willing"
    )
    runner = web.AppRunner(await seats._make_app())
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner
