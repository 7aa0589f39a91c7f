"""The round timer and teams: pure, with the clock passed in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation.classroom import MAX_TIMER, RoundTimer, Team, clock, parse_team

times = st.floats(0, 10_000, allow_nan=False)
lengths = st.floats(0, MAX_TIMER, allow_nan=False)


@given(lengths, times, times)
def test_a_running_timer_counts_down_and_stops_at_zero(seconds, start, elapsed):
    timer = RoundTimer.set(seconds).start(start)
    assert timer.running
    assert timer.left(start + elapsed) == pytest.approx(max(0.0, seconds - elapsed))
    if elapsed > seconds + 1e-6:
        assert timer.expired(start + elapsed)
    elif elapsed < seconds - 1e-6:
        assert not timer.expired(start + elapsed)


@given(lengths, times, times, times)
def test_pausing_keeps_what_is_left(seconds, start, run, paused_for):
    timer = RoundTimer.set(seconds).start(start)
    paused = timer.pause(start + run)
    assert not paused.running
    later = start + run + paused_for
    assert paused.left(later) == pytest.approx(timer.left(start + run))
    resumed = paused.start(later)
    assert resumed.left(later) == pytest.approx(paused.left(later))


@given(lengths, times, st.floats(0, 3600), st.booleans())
def test_extending_adds_time_within_the_limit(seconds, now, extra, running):
    timer = RoundTimer.set(seconds)
    if running:
        timer = timer.start(now)
    longer = timer.extend(extra, now)
    assert longer.left(now) == pytest.approx(min(MAX_TIMER, timer.left(now) + extra))
    assert longer.running == running
    assert 0 <= longer.left(now) <= MAX_TIMER


def test_an_expired_timer_extended_counts_again():
    timer = RoundTimer.set(60).start(0.0)
    assert timer.expired(100.0)
    again = timer.extend(120, 100.0)
    assert again.left(100.0) == pytest.approx(120)
    assert again.left(160.0) == pytest.approx(60)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "00:00"), (0.2, "00:01"), (59.5, "01:00"), (600, "10:00"), (3725, "1:02:05")],
)
def test_clock_faces(seconds, shown):
    assert clock(seconds) == shown


def test_teams_are_read_from_one_line():
    team = parse_team("Les Bleus: Ana, Ben ,  Chloé")
    assert team == Team(name="Les Bleus", members=("Ana", "Ben", "Chloé"))
    assert team.label == "Les Bleus (Ana, Ben, Chloé)"
    assert parse_team("Red team").label == "Red team"
    for bad in ("", ": Ana", "x" * 61, "T: " + ", ".join(f"m{i}" for i in range(13))):
        with pytest.raises(ValueError):
            parse_team(bad)


def test_a_new_round_gets_a_fresh_clock_however_the_last_one_ended(paris) -> None:
    """The round ends by itself (every seat moves) as well as by the facilitator: either way
    round 2 starts with the clock set for it, not at "time is up"."""
    from negotiation.tui.session import GameSession

    session = GameSession.start(paris, {}, seed=2, facilitator=True)
    session.update_classroom(timer=RoundTimer.set(5).start(1000.0))  # long since run out
    while session.state.round == 1:
        session.bot_step()
    assert session.classroom.timer == RoundTimer.set(5)
    assert session.save.classroom.timer == RoundTimer.set(5)  # and saved so


def test_a_new_clock_is_the_length_set_and_paused() -> None:
    timer = RoundTimer.set(120).start(50.0).extend(60, 80.0)
    assert timer.reset() == RoundTimer.set(180)
