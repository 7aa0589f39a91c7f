"""A browser seat: Playwright drives Debian's Chromium to the ``--web`` address, types a join
code and plays a move at the table, which the game server takes.

The page draws the terminal on a canvas, so the test reads the game's state on the server
rather than the page's text; a screenshot is kept beside the test's files for looking at.
Chromium is needed: where it is missing the test is skipped, unless
``NEGOTIATION_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs it), when it fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from negotiation.bots import strategy
from negotiation.net.client import create_game, run_bot
from negotiation.net.server import GameServer
from negotiation.net.store import SQLiteStore
from negotiation.net.web import start_web
from negotiation.scenario import resolve_scenario

PARIS = resolve_scenario("paris-2025")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("NEGOTIATION_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is not installed (NEGOTIATION_REQUIRE_BROWSER=1)")
        pytest.skip("Chromium is not installed here (CI installs it)")
    return found


async def test_a_student_joins_from_a_browser_and_plays_at_the_table(
    tmp_path: Path, free_port: int
) -> None:
    from playwright.async_api import async_playwright

    browser_path = chromium()
    server = GameServer(SQLiteStore(tmp_path / "server.db"))
    listener = await server.start("127.0.0.1", 0)
    url = f"ws://127.0.0.1:{next(iter(listener.sockets)).getsockname()[1]}"
    web = await start_web(url, "127.0.0.1", free_port)
    created = await create_game(url, PARIS.model_dump(mode="json"), seed=8)
    ahead = [  # the delegations before the United States in the turn order
        asyncio.create_task(
            run_bot(url, created.codes[r], strategy(PARIS.roles[r].default_strategy))
        )
        for r in ("france", "uk", "germany")
    ]
    try:
        import urllib.request

        def page_html() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{free_port}/", timeout=30) as reply:
                return str(reply.read().decode())

        html = await asyncio.to_thread(page_html)
        # Nothing is fetched from the internet: a classroom network often has none.
        assert "googleapis" not in html and "https://" not in html
        assert "RobotoMono" in html
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=browser_path,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = await browser.new_page(viewport={"width": 1280, "height": 860})
            await page.goto(f"http://127.0.0.1:{free_port}/")
            await page.wait_for_selector("canvas", timeout=30_000)
            game = None
            for _ in range(300):  # the join screen's process starts and connects
                await page.mouse.click(640, 458)  # into the page, on the code's field
                await page.keyboard.press("End")
                for _ in range(45):  # clear what an earlier try left there
                    await page.keyboard.press("Backspace")
                await page.keyboard.type(created.codes["us"], delay=10)
                await page.keyboard.press("Enter")
                for _ in range(40):
                    game = server.games.get(created.game)
                    if game and any(seat.seat == "us" for seat in game.seats):
                        break
                    await asyncio.sleep(0.1)  # polling the server, not covering a race
                else:
                    continue
                break
            assert game is not None and any(seat.seat == "us" for seat in game.seats)
            await page.keyboard.press("Enter")  # the brief read, to the table
            for _ in range(300):
                if game.state.turn == "us":
                    break
                await asyncio.sleep(0.1)
            assert game.state.turn == "us"
            for _ in range(100):
                await page.keyboard.press("e")  # end the turn, from the browser
                await asyncio.sleep(0.2)
                if any(e.text == "United States passes." for e in game.state.log):
                    break
            await page.screenshot(path=str(tmp_path / "browser-seat.png"))
            await browser.close()
        assert any(e.text == "United States passes." for e in game.state.log)
    finally:
        for task in ahead:
            task.cancel()
        await web.cleanup()
        listener.close()
        await listener.wait_closed()
        server.close()
