"""The negotiation table: where a game is played.

The screen shows the game through the eyes of one seat, the *viewer*: the deal grid, pledges,
the public log and the viewer's private messages, the credibility gauge and the viewer's own
satisfaction. It also runs the flow of play: bots move with a short visible pause, events pop
up for the seats that may see them, votes are asked of human seats, and hot-seat players hand
the keyboard over through a screen that hides everything private.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape as rich_escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from negotiation.engine import Abstain as AbstainAction
from negotiation.engine import (
    Action,
    Amend,
    CallVote,
    IllegalAction,
    LogEntry,
    Object,
    Offer,
    Pass,
    Phase,
    RoleView,
    Support,
    Threaten,
    Veto,
    Vote,
    WalkOut,
    inject_of,
)
from negotiation.files import plain_text
from negotiation.tui.markup import escape
from negotiation.tui.screens.briefing import BriefingScreen, HandoffScreen
from negotiation.tui.screens.dialogs import (
    ChoiceDialog,
    Confirm,
    MessageDialog,
    Notice,
    PledgeDialog,
    ProposeDialog,
    TextDialog,
    VoteDialog,
)
from negotiation.tui.widgets.deal_grid import DealGrid, OfferGrid
from negotiation.tui.widgets.gauge import CredibilityGauge, Panel
from negotiation.tui.widgets.log import WrappingLog

if TYPE_CHECKING:
    from negotiation.tui.session import GameSession

# Actions bound to keys on the table, and the engine action types they stand for.
MOVE_TYPES = {
    "pledge": ("pledge", "withdraw"),
    "propose": ("propose",),
    "support": ("support",),
    "object": ("object",),
    "call_vote": ("call_vote",),
    "message": ("message",),
    "threaten": ("threaten",),
    "end_turn": ("pass",),
    "walk_out": ("walk_out",),
}


class TableScreen(Screen[None]):
    """The game, seen by one seat."""

    DEFAULT_CSS = """
    TableScreen #status { height: 1; background: $primary; color: $text; padding: 0 1; }
    TableScreen #main { height: 1fr; }
    TableScreen #left { width: 1fr; }
    TableScreen #right { width: 38; border-left: solid $primary; }
    TableScreen DealGrid { border: round $primary; height: auto; }
    TableScreen DealGrid:focus { border: round $accent; }
    TableScreen #detail { height: 2; padding: 0 1; color: $text-muted; }
    TableScreen TabbedContent { height: 1fr; }
    TableScreen TabPane { padding: 0 1; }
    TableScreen WrappingLog { min-width: 1; background: $surface 0%; }
    TableScreen #stances { padding: 0 1; height: auto; }
    TableScreen.-narrow #right { width: 29; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pledge", "Pledge", id="table.pledge"),
        Binding("n", "propose", "New package", id="table.propose"),
        Binding("s", "support", "Support", id="table.support"),
        Binding("o", "object", "Object", id="table.object"),
        Binding("v", "call_vote", "Call vote", id="table.call_vote"),
        Binding("m", "message", "Message", id="table.message"),
        Binding("t", "threaten", "Threaten", id="table.threaten"),
        Binding("e", "end_turn", "End turn", id="table.end_turn"),
        Binding("w", "walk_out", "Walk out", show=False, id="table.walk_out"),
        Binding("b", "brief", "Brief", id="table.brief"),
        Binding("l", "tab('log')", "Log", show=False, id="table.log"),
        Binding("r", "tab('rules')", "Rules", show=False, id="table.rules"),
        Binding("g", "tab('pledges')", "Pledges", show=False, id="table.pledges"),
        Binding("i", "tab('messages')", "Inbox", show=False, id="table.inbox"),
        Binding("escape", "menu", "Menu", id="table.menu"),
        Binding("f2", "console", "Facilitator", id="table.console"),
    ]

    def __init__(self, session: GameSession, viewer: str | None = None) -> None:
        super().__init__()
        self.session = session
        humans = session.humans
        self.viewer: str = viewer or (humans[0] if humans else session.state.scenario.chair)
        self.processed = len(session.state.log)
        self.unseen: dict[str, list[LogEntry]] = {h: [] for h in humans}
        self.busy = False  # a dialog is open or a bot is thinking: no new flow step
        self.votes_seen = session.state.votes_held
        self.unsc_seen = session.state.unsc_votes_held
        self.flow_started = False
        self.logged = 0
        self.logged_for = ""
        self.messages_written = 0
        self.waiting = False  # a bot's move waits until the table is on screen again

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        state = self.session.state
        yield Static(id="status")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                coalition = state.scenario.roles[self.viewer].coalition
                grid_class = DealGrid if coalition else OfferGrid
                yield grid_class(state.scenario.issues, state.package, id="grid")
                yield Panel(id="detail")
                with TabbedContent(initial="log"):
                    with TabPane("Log", id="log"):
                        yield WrappingLog(id="log-text")
                    with TabPane("Messages", id="messages"):
                        yield WrappingLog(id="messages-text")
                    with TabPane("Pledges", id="pledges"), VerticalScroll():
                        yield Static(id="pledges-text")
                    with TabPane("Rules", id="rules"), VerticalScroll():
                        yield Static(id="rules-text")
            with VerticalScroll(id="right"):
                yield CredibilityGauge(id="gauge")
                yield Static(id="stances")
        yield Footer(compact=True)  # many moves: every one must fit

    def on_mount(self) -> None:
        self.query_one(DealGrid).focus()
        self.redraw()
        self.call_after_refresh(self.start_flow)
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        """Keep the round timer in the status bar counting."""
        if self.session.classroom.timer is not None:
            self.query_one("#status", Static).update(self.status_text())

    def on_screen_resume(self) -> None:
        """Back from the facilitator's console (or a screen over the table): catch up."""
        if not self.flow_started or self.busy:
            return
        if self.processed < len(self.session.state.log) or self.waiting:
            self.waiting = False
            self.after_change()
        else:
            self.redraw()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    # --- what the viewer sees -----------------------------------------------------------------

    @property
    def view(self) -> RoleView:
        return RoleView(self.session.state, self.viewer)

    @property
    def my_turn(self) -> bool:
        state = self.session.state
        return state.turn == self.viewer and self.session.is_human(self.viewer)

    def redraw(self) -> None:
        """Redraw everything from the session's state, as the viewer may see it."""
        state = self.session.state
        view = self.view
        spec = state.scenario
        grid = self.query_one(DealGrid)
        wanted = DealGrid if spec.roles[self.viewer].coalition else OfferGrid
        if type(grid) is not wanted:
            # A hot-seat hand-off between a coalition member and the other side: Enter amends
            # for one and makes offers for the other, and the footer should say which.
            replacement = wanted(spec.issues, state.package, id="grid")
            replacement.row, replacement.column = grid.row, grid.column
            grid.remove()
            self.query_one("#left").mount(replacement, before=0)
            grid = replacement
        grid.set_package(state.package)
        self.query_one("#status", Static).update(self.status_text())
        self.update_detail()
        self.write_logs(view)
        self.query_one("#pledges-text", Static).update(self.pledges_text(view))
        self.query_one("#rules-text", Static).update(self.rules_text(view))
        self.query_one("#stances", Static).update(self.stances_text(view))
        self.refresh_bindings()

    def status_text(self) -> str:
        """The status bar: round, phase, whose move, and the round timer if one is set."""
        state = self.session.state
        spec = state.scenario
        turn = spec.roles[state.turn].name if state.turn else "—"
        you = spec.roles[self.viewer].name
        team = self.session.classroom.teams.get(self.viewer)
        if team:
            you = f"{you} ({team.name})"
        if self.session.remote and not self.session.is_human(self.viewer):
            you = f"the facilitator, at {you}'s place"
        if state.over:
            where = f"Over: {state.status.value.replace('_', ' ')}"
        elif self.my_turn:
            where = f"{state.phase.label} · your move, {you}"
        else:
            where = f"{state.phase.label} · {turn} to move · you are {you}"
        text = f"{escape(spec.title)} · Round {state.round}/{state.max_rounds} · {escape(where)}"
        timer = self.session.classroom.timer
        if timer is not None:
            from negotiation.tui.screens.facilitator import FacilitatorScreen, timer_face

            now = FacilitatorScreen.now() + self.session.clock_offset
            face, _ = timer_face(timer, now)
            if timer.expired(now):
                text += " · [b reverse] TIME IS UP [/]"
            else:
                paused = "" if timer.running else " (paused)"
                text += f" · [b]⏱ {face}[/b]{paused}"
        return text

    def update_detail(self) -> None:
        """The option under the cursor, in full, and the what-if preview of amending to it."""
        grid = self.query_one(DealGrid)
        state = self.session.state
        issue = state.scenario.issues[grid.cursor_issue]
        option = issue.options[grid.cursor_option]
        on_table = state.package[grid.cursor_issue] == grid.cursor_option
        mark = " (on the table)" if on_table else ""
        self.query_one("#detail", Panel).set(
            f"[b]{escape(issue.label)}: {escape(option.label)}[/b]{mark} — "
            f"{escape(option.description)}"
        )
        view = self.view
        gauge = self.query_one(CredibilityGauge)
        preview = None
        if not on_table:
            preview = view.preview(
                Amend(role=self.viewer, issue=grid.cursor_issue, option=grid.cursor_option)
            )
        gauge.show(view.scorecard(), view.satisfaction(), preview, f"{issue.label}: {option.label}")

    def write_logs(self, view: RoleView) -> None:
        """Append new log entries (the public log and the viewer's messages) to the two logs.

        The logs are written incrementally: a long game's log is never re-laid out whole.
        """
        log = self.query_one("#log-text", WrappingLog)
        inbox = self.query_one("#messages-text", WrappingLog)
        if self.logged_for != self.viewer:
            log.clear_lines()
            inbox.clear_lines()
            self.logged, self.logged_for, self.messages_written = 0, self.viewer, 0
        entries = self.session.state.log
        for entry in entries[self.logged :]:
            if not entry.visible(self.viewer):
                continue
            stamp = f"[dim]R{entry.round}[/dim] "
            if entry.action is not None and entry.action.type == "message":
                if not self.messages_written:
                    inbox.clear_lines()  # the "no messages" placeholder
                inbox.add(stamp + rich_escape(entry.text))
                self.messages_written += 1
                continue
            private = "[yellow](private)[/yellow] " if entry.visible_to else ""
            team = self.session.classroom.teams.get(entry.actor)
            tag = f"[dim]\\[{rich_escape(team.name)}][/dim] " if team else ""
            log.add(stamp + tag + private + rich_escape(entry.text))
        self.logged = len(entries)
        if not self.messages_written and not inbox.texts:
            inbox.add("[dim]No private messages. Press m to write one.[/dim]")

    def pledges_text(self, view: RoleView) -> str:
        lines = []
        for role in view.order:
            own = view.pledges.get(role, {})
            if not own:
                continue
            parts = [f"{units} {view.pledge_kinds[k].unit}" for k, units in own.items()]
            lines.append(f"[b]{escape(view.role_name(role))}[/b]: {escape(', '.join(parts))}")
        totals: dict[str, int] = {}
        for own in view.pledges.values():
            for kind, units in own.items():
                totals[kind] = totals.get(kind, 0) + units
        if totals:
            lines.append("")
            lines.append(
                "[b]Total[/b]: "
                + escape(", ".join(f"{u} {view.pledge_kinds[k].unit}" for k, u in totals.items()))
            )
        return "\n".join(lines) or "No pledges yet. Press p to pledge."

    def rules_text(self, view: RoleView) -> str:
        card = view.scorecard()
        if not card.moving:
            return "No rule fires for this deal: every dimension sits at its base value."
        lines = []
        for rule in card.moving:
            effect = ", ".join(f"{d} {p:+g}" for d, p in rule.effect.items())
            lines.append(f"[b]{escape(rule.id)}[/b] ({escape(effect)})")
            lines.append(f"  {escape(rule.because)}")
        return "\n".join(lines)

    def stances_text(self, view: RoleView) -> str:
        lines = ["", "[b]Around the table[/b]"]
        for role in view.order:
            stance = view.stances.get(role)
            mark = {"support": "[$success]supports[/]", "object": "[$error]objects[/]"}.get(
                stance or "", "[dim]—[/]"
            )
            if view.phase is Phase.VOTE and role in view.votes:
                mark = "[$success]accepted[/]" if view.votes[role] else "[$error]rejected[/]"
            if role == self.viewer:
                seat = "you"
            elif self.session.remote:
                # A student or a bot on another machine: said only when nobody holds the seat.
                seat = "offline" if self.session.seats.get(role) == "away" else ""
            else:
                seat = "human" if self.session.is_human(role) else "bot"
            turn = "▶" if view.turn == role else " "
            lines.append(f"{turn}{escape(view.role_name(role))[:14]:<14} {mark} [dim]{seat}[/]")
        return "\n".join(lines)

    def on_deal_grid_highlighted(self) -> None:
        self.update_detail()

    # --- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MOVE_TYPES:
            return self.can(action)
        if action == "console":
            return self.session.facilitated
        return True

    def action_console(self) -> None:
        """Open the facilitator's console over the table (bots wait while it is open)."""
        if not self.session.facilitated:
            return
        from negotiation.tui.screens.facilitator import FacilitatorScreen

        self.app.push_screen(FacilitatorScreen(self.session))

    def can(self, key_action: str) -> bool:
        """True if the viewer may make a move of this kind now."""
        if not self.my_turn or self.busy:
            return False
        types = MOVE_TYPES[key_action]
        return any(a.type in types for a in self.view.legal_actions(proposals=False)) or (
            key_action == "propose"
            and self.view.brief.coalition
            and self.session.state.phase is Phase.DIPLOMACY
        )

    def on_deal_grid_selected(self, event: DealGrid.Selected) -> None:
        if not self.my_turn or self.busy:
            self.notify("It is not your move.", severity="warning")
            return
        state = self.session.state
        if state.package[event.issue] == event.option:
            self.notify("That option is already on the table.", severity="warning")
            return
        action: Action
        if self.view.brief.coalition:
            action = Amend(role=self.viewer, issue=event.issue, option=event.option)
        else:
            action = Offer(role=self.viewer, issue=event.issue, option=event.option)
        self.play(action)

    def action_pledge(self) -> None:
        self.ask(PledgeDialog(self.view), self._play_result)

    def action_propose(self) -> None:
        self.ask(ProposeDialog(self.view), self._play_result)

    def action_support(self) -> None:
        self.play(Support(role=self.viewer))

    def action_object(self) -> None:
        def done(reason: object) -> None:
            if isinstance(reason, str):
                self.play(Object(role=self.viewer, reason=plain_text(reason).strip()))

        self.ask(
            TextDialog("Object to the deal", "Why? (optional; Enter to object)", max_length=500),
            done,
        )

    def action_call_vote(self) -> None:
        def done(yes: object) -> None:
            if yes:
                self.play(CallVote(role=self.viewer))

        self.ask(
            Confirm(
                "Put the deal on the table to a vote of every delegation now?",
                "Call the vote",
                "Not yet",
            ),
            done,
        )

    def action_message(self) -> None:
        self.ask(MessageDialog(self.view), self._play_result)

    def action_threaten(self) -> None:
        crossed = {line.id for line in self.view.crossed_red_lines()}
        lines = [
            (
                line.id,
                line.text
                + (" [crossed now]" if line.id in crossed else "")
                + (" (your bluff)" if line.bluff else ""),
            )
            for line in self.view.brief.red_lines
        ]

        def done(choice: object) -> None:
            if isinstance(choice, str):
                self.play(Threaten(role=self.viewer, red_line=choice))

        self.ask(
            ChoiceDialog("Which red line do you invoke?", lines, "Everyone hears the warning."),
            done,
        )

    def action_end_turn(self) -> None:
        self.play(Pass(role=self.viewer))

    def action_walk_out(self) -> None:
        def done(yes: object) -> None:
            if yes:
                self.play(WalkOut(role=self.viewer))

        self.ask(
            Confirm("Walk out of the talks? The game ends without a deal.", "Walk out", "Stay"),
            done,
        )

    def action_brief(self) -> None:
        self.app.push_screen(BriefingScreen(self.session.state.scenario, self.view))

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_menu(self) -> None:
        from negotiation.tui.app import NegotiationApp

        app = self.app
        assert isinstance(app, NegotiationApp)
        app.table_menu(self)

    # --- playing ------------------------------------------------------------------------------

    def ask(self, dialog: Screen[object], then: Callable[[object], None]) -> None:
        """Open a dialog; its answer goes to ``then``."""
        self.app.push_screen(dialog, then)

    def _play_result(self, result: object) -> None:
        if result is not None:
            self.play(result)  # type: ignore[arg-type]

    def play(self, action: Action) -> None:
        """Send a move to the engine; an illegal one is a notification, never a crash."""
        try:
            self.session.act(action)
        except IllegalAction as exc:
            self.notify(str(exc), title="Not allowed", severity="error")
            return
        except OSError as exc:
            self.notify(f"Could not autosave: {exc}", severity="error")
        if self.session.remote:
            self.redraw()  # the server's answer moves the game on, and redraws it
            return
        self.after_change()

    def start_flow(self) -> None:
        """Begin the flow of play once the screen is up (events of round 1, bots, votes)."""
        if self.flow_started:
            return
        self.flow_started = True
        viewer_seen = [e for e in self.session.state.log if e.visible(self.viewer)]
        events = [e for e in viewer_seen if e.event is not None]
        if events and self.session.state.steps == 0 and self.session.is_human(self.viewer):
            self.show_notices([self.event_notice(e) for e in events], self.next_step)
        else:
            self.next_step()

    def after_change(self) -> None:
        """The state changed: redraw, pop up what the viewer should see, go on."""
        self.redraw()
        log = self.session.state.log
        fresh = log[self.processed :]
        self.processed = len(log)
        state = self.session.state
        # An undo may take a vote back: count from where the game now stands.
        self.votes_seen = min(self.votes_seen, state.votes_held)
        self.unsc_seen = min(self.unsc_seen, state.unsc_votes_held)
        for human in self.session.humans:
            self.unseen.setdefault(human, [])
        notices: list[tuple[str, str]] = []
        if state.votes_held > self.votes_seen:
            self.votes_seen = state.votes_held
            notices.append(self.vote_notice())
        if state.unsc_votes_held > self.unsc_seen:
            self.unsc_seen = state.unsc_votes_held
            notices.append(("Security Council", self.unsc_text(fresh)))
        for entry in fresh:
            if entry.event is not None:
                if entry.visible(self.viewer) and self.session.is_human(self.viewer):
                    notices.append(self.event_notice(entry))
                for human in self.session.humans:
                    if human != self.viewer and entry.visible(human):
                        self.unseen[human].append(entry)
        self.show_notices(notices, self.next_step)

    def event_notice(self, entry: LogEntry) -> tuple[str, str]:
        title, body = self.event_text(entry)
        private = "\n\n[$warning]Only you have been told of this.[/]" if entry.visible_to else ""
        return (f"Event: {title}", escape(body) + private)

    def event_text(self, entry: LogEntry) -> tuple[str, str]:
        """An event's title and text, from the scenario's deck or as the facilitator wrote it."""
        inject = inject_of(self.session.state, entry.event or "")
        if inject is not None:
            return inject.title, inject.text
        return "Event", entry.text

    def vote_notice(self) -> tuple[str, str]:
        state = self.session.state
        spec = state.scenario
        lines = []
        for role in spec.turns.order:
            answer = state.last_vote.get(role)
            word = "[$success]accepts[/]" if answer else "[$error]rejects[/]"
            signatory = "" if role in spec.signatories else " [dim](not a signatory)[/]"
            lines.append(f"{escape(spec.roles[role].name):<18} {word}{signatory}")
        refused = [spec.roles[r].name for r in spec.signatories if not state.last_vote.get(r)]
        lines.append("")
        if refused:
            lines.append(f"Not adopted: {escape(', '.join(refused))} did not accept.")
        else:
            lines.append("Every required signatory accepts.")
        return ("The vote", "\n".join(lines))

    def unsc_text(self, fresh: tuple[LogEntry, ...]) -> str:
        lines = [
            escape(e.text)
            for e in fresh
            if e.actor == "game" and ("resolution" in e.text or "Council" in e.text)
        ]
        return "\n".join(lines)

    def show_notices(self, notices: list[tuple[str, str]], then: Callable[[], None]) -> None:
        """Show notices one after another, then go on."""
        if not notices:
            then()
            return
        self.busy = True
        title, body = notices[0]

        def done(_: object) -> None:
            self.busy = False
            self.show_notices(notices[1:], then)

        self.app.push_screen(Notice(title, body), done)

    def next_step(self) -> None:
        """Decide what happens next: the end, a bot's move, a hand-off, or a human's vote."""
        session = self.session
        state = session.state
        self.refresh_bindings()
        if state.over:
            self.finish()
            return
        if session.bot_to_move:
            self.busy = True
            delay = getattr(self.app, "bot_delay", 0.0)
            if delay > 0:
                self.set_timer(delay, self.bot_tick)
            else:
                self.call_later(self.bot_tick)
            return
        turn = state.turn
        assert turn is not None
        if turn != self.viewer:
            if not session.remote:
                self.hand_off(turn)
            # Over the network the other seats move on their own machines; the status bar
            # says whose move it is, and the server's update carries the game on.
            return
        self.ask_vote_if_needed()

    def bot_tick(self) -> None:
        self.busy = False
        if not self.on_stack or not self.session.bot_to_move:
            return
        if self.app.screen is not self:
            # The console (or help) is open over the table: the bot waits for it to close.
            self.waiting = True
            return
        try:
            self.session.bot_step()
        except OSError as exc:
            self.notify(f"Could not autosave: {exc}", severity="error")
        self.after_change()

    @property
    def on_stack(self) -> bool:
        return self.is_mounted and self.app.screen_stack.count(self) > 0

    def hand_off(self, role: str) -> None:
        """Another human's move: hide everything, then show the table as that role sees it."""
        self.busy = True
        name = self.session.state.scenario.roles[role].name
        reason = (
            "A vote has been called." if self.session.state.phase is not Phase.DIPLOMACY else ""
        )

        def ready(_: object) -> None:
            self.busy = False
            self.viewer = role
            self.redraw()
            unseen = self.unseen.get(role, [])
            self.unseen[role] = []
            if unseen:
                body = "\n\n".join(
                    f"[b]{escape(t)}[/b]\n{escape(b)}" for t, b in map(self.event_text, unseen)
                )
                self.show_notices([("While you were away", body)], self.ask_vote_if_needed)
            else:
                self.ask_vote_if_needed()

        team = self.session.classroom.team_label(role)
        self.app.push_screen(HandoffScreen(name, reason, team), ready)

    def ask_vote_if_needed(self) -> None:
        state = self.session.state
        if state.turn != self.viewer:
            self.next_step()
            return
        view = self.view
        if state.phase is Phase.VOTE:
            sat = view.satisfaction()
            card = view.scorecard()
            verdict = "[$success]above[/]" if sat.acceptable else "[$error]below[/]"
            body = (
                f"The deal on the table has credibility [b]{card.total:.1f}[/b].\n"
                f"Your satisfaction is [b]{sat.value:.1f}[/b], {verdict} your walk-away value "
                f"of {sat.walk_away:.0f}.\n\n"
                + "\n".join(
                    f"{escape(issue.label)}: {escape(issue.options[state.package[i]].label)}"
                    for i, issue in state.scenario.issues.items()
                )
                + "\n\n[b]Pledges[/b]\n"
                + self.pledges_text(view)
            )
            self.busy = True

            def voted(answer: object) -> None:
                self.busy = False
                self.play(Vote(role=self.viewer, accept=bool(answer)))

            self.app.push_screen(VoteDialog("Vote on the deal", body, "Accept", "Reject"), voted)
        elif state.phase is Phase.UNSC:
            sat = view.satisfaction()
            body = (
                "The deal needs a Security Council resolution, and you hold a veto.\n"
                f"Your satisfaction with it is {sat.value:.1f} (walk-away {sat.walk_away:.0f})."
            )
            self.busy = True

            def decided(answer: object) -> None:
                self.busy = False
                action = AbstainAction(role=self.viewer) if answer else Veto(role=self.viewer)
                self.play(action)

            self.app.push_screen(VoteDialog("Security Council", body, "Abstain", "Veto"), decided)
        else:
            self.query_one(DealGrid).focus()

    def finish(self) -> None:
        """The game is over: tell the stress test, then the end screen."""
        from negotiation.tui.app import NegotiationApp

        app = self.app
        assert isinstance(app, NegotiationApp)
        stress = self.session.state.stress
        if stress is not None:
            body = "\n".join(escape(line) for line in stress.narrative)
            body += (
                f"\n\nAcross {stress.draws} simulated futures, deterrence held in "
                f"[b]{stress.held}[/b] ({stress.hold_rate:.0%})."
            )
            self.show_notices(
                [("Stress test: the years after the deal", body)],
                lambda: app.show_end(self.session),
            )
        else:
            app.show_end(self.session)
