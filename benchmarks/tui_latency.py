"""Key press to redrawn table, with credibility and the what-if preview recomputed (< 50 ms).

Drives the app with Textual's Pilot at 80×24: a new game as France, then cursor moves on the
deal grid (each recomputes the what-if preview and repaints the gauge and the grid). Pilot's
own round trip is measured with a key nothing is bound to, and subtracted.

    python benchmarks/tui_latency.py [--presses 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from negotiation.tui.app import NegotiationApp
from negotiation.tui.screens.table import TableScreen


async def measure(presses: int) -> tuple[list[float], list[float], list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        app = NegotiationApp(Path(folder), bot_delay=0.0)
        async with app.run_test(size=(80, 24)) as pilot:
            for key in ("enter", "enter", "enter"):
                await pilot.press(key)
                for _ in range(3):
                    await pilot.pause()
            screen = app.screen
            assert isinstance(screen, TableScreen), type(screen)
            moves, idle, compute = [], [], []
            keys = ["right", "down", "left", "down"]
            for i in range(presses):
                start = time.perf_counter()
                await pilot.press(keys[i % len(keys)])
                moves.append(time.perf_counter() - start)
                start = time.perf_counter()
                await pilot.press("f12")  # bound to nothing
                idle.append(time.perf_counter() - start)
                start = time.perf_counter()
                screen.update_detail()  # the work a cursor move does, without painting
                compute.append(time.perf_counter() - start)
            return moves, idle, compute


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    moves, idle, compute = asyncio.run(measure(args.presses))
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(f"cursor move on the table, Pilot round trip: median {ms(moves):.1f} ms")
    print(f"unbound key, Pilot round trip (overhead):  median {ms(idle):.1f} ms")
    print(f"key press to redrawn table, net:            {ms(moves) - ms(idle):.1f} ms")
    print(f"what-if recomputation alone:                median {ms(compute):.2f} ms")


if __name__ == "__main__":
    main()
