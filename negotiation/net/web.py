"""Browser seats: the game's own screens served to a browser with textual-serve.

A student with no Python opens the address in a browser; each browser tab runs
``negotiation join`` on the server machine (connected to the game server over loopback), drawn
in the page. The join screen asks for the code, as it does in a terminal.

textual-serve is an optional extra (``pip install 'negotiation[web]'``): it brings aiohttp.
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any


class WebUnavailable(RuntimeError):
    """textual-serve is not installed."""


GOOGLE_FONT = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)
LOCAL_FONT = """<style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf");
      }
    </style>"""


def offline_templates(source: Path, into: Path) -> Path:
    """textual-serve's page templates, with the font its page fetches from Google taken from
    the fonts it ships instead: a classroom network often has no internet, and a stylesheet
    that cannot load holds the page up. (A template without the link is copied as it is.)"""
    for template in source.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        (into / template.name).write_text(GOOGLE_FONT.sub(LOCAL_FONT, text), encoding="utf-8")
    return into


def seat_command(game_url: str) -> str:
    """The command each browser tab runs: the join screen of this server's games."""
    return " ".join(
        shlex.quote(part) for part in (sys.executable, "-m", "negotiation", "join", game_url)
    )


async def start_web(game_url: str, host: str, port: int) -> WebSeats:
    """Serve browser seats on ``host:port`` (``cleanup()`` on what it returns stops them).

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
    folder = tempfile.TemporaryDirectory(prefix="negotiation-web-")
    seats.templates_path = offline_templates(Path(seats.templates_path), Path(folder.name))
    runner = web.AppRunner(await seats._make_app())
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return WebSeats(runner, folder)


class WebSeats:
    """Browser seats being served; ``cleanup()`` stops them."""

    def __init__(self, runner: Any, folder: tempfile.TemporaryDirectory[str]) -> None:
        self.runner = runner
        self.folder = folder

    async def cleanup(self) -> None:
        await self.runner.cleanup()
        self.folder.cleanup()
