"""Launch-to-first-paint time and memory of `negotiation` (target: < 0.5 s and < 100 MB).

Runs the real command in a pseudo-terminal, with NEGOTIATION_EXIT_AFTER_FIRST_PAINT set so
the app leaves right after painting its title screen, and reports the median of several runs
of wall time and peak resident memory.

    python benchmarks/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import pty
import resource
import select
import shutil
import statistics
import subprocess
import sys
import time

MARKER = b"New game"
"""Text of the title screen's menu: once it reaches the terminal, the title is painted."""


def one_run(command: list[str]) -> tuple[float, float]:
    """(seconds until the title is on the terminal, peak RSS in MB) of one launch."""
    env = {**os.environ, "NEGOTIATION_EXIT_AFTER_FIRST_PAINT": "1", "TERM": "xterm-256color"}
    # A player's machine caches compiled modules; some sandboxes turn that off.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["COLUMNS"], env["LINES"] = "80", "24"
    leader, follower = pty.openpty()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    painted = 0.0
    while proc.poll() is None:
        ready, _, _ = select.select([leader], [], [], 0.01)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not painted:
                seen += chunk
                if MARKER in seen:
                    painted = time.perf_counter() - start
    proc.wait()
    wall = painted or (time.perf_counter() - start)
    os.close(leader)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"negotiation exited with {proc.returncode}")
    return wall, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    exe = shutil.which("negotiation")
    command = [exe] if exe else [sys.executable, "-m", "negotiation"]
    one_run(command)  # warm the file cache and the .pyc files
    walls, peaks = [], []
    for _ in range(args.runs):
        wall, peak = one_run(command)
        walls.append(wall)
        peaks.append(peak)
    print(
        f"launch to first paint: median {statistics.median(walls) * 1000:.0f} ms "
        f"(min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f}) over {args.runs} runs"
    )
    print(f"peak resident memory:  {max(peaks):.0f} MB (ru_maxrss of the children)")


if __name__ == "__main__":
    main()
