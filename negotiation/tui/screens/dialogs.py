"""Small modal dialogs: confirm, notices, votes, pledges, proposals, messages, saving.

Each is a ``ModalScreen[T]`` that returns its answer with ``dismiss(value)``; Escape cancels
with None.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from negotiation.engine import Action, Message, PledgeAction, Preview, Propose, RoleView, Withdraw
from negotiation.files import plain_text
from negotiation.tui.markup import escape


class Dialog(ModalScreen[object]):
    """Base of the dialogs: centred box, Escape cancels."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    Dialog .title { text-style: bold; color: $accent; margin-bottom: 1; }
    Dialog .buttons { height: auto; align-horizontal: right; margin-top: 1; }
    Dialog .buttons Button { margin-left: 1; }
    Dialog VerticalScroll { height: auto; max-height: 16; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(Dialog):
    """A yes/no question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(escape(self.question))
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class Notice(Dialog):
    """A message to read, such as an event striking or a vote's result."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter,space", "close", "Continue")]

    def __init__(self, title: str, body: str, *, kind: str = "") -> None:
        super().__init__(classes=kind)
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            with VerticalScroll():
                yield Static(self.body)
            with Horizontal(classes="buttons"):
                yield Button("Continue (Enter)", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(True)


class VoteDialog(Dialog):
    """A human seat votes on the deal (or, at the Security Council, vetoes or abstains)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer('yes')", "Accept"),
        Binding("r", "answer('no')", "Reject"),
        Binding("escape", "noop", show=False),
    ]

    def __init__(self, title: str, body: str, yes: str, no: str) -> None:
        super().__init__()
        self.title_text, self.body, self.yes, self.no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            with VerticalScroll():
                yield Static(self.body)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (a)", id="yes", variant="success")
                yield Button(f"{self.no} (r)", id="no", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer == "yes")

    def action_noop(self) -> None:
        """A vote cannot be dodged."""
        self.notify("Every seat must vote: accept (a) or reject (r).")


class ChoiceDialog(Dialog):
    """Pick one of several options (a recipient, a red line...)."""

    def __init__(self, title: str, choices: list[tuple[str, str]], note: str = "") -> None:
        super().__init__()
        self.title_text, self.choices, self.note = title, choices, note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            if self.note:
                yield Static(escape(self.note))
            yield OptionList(*[Option(escape(label), id=value) for value, label in self.choices])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class TextDialog(Dialog):
    """Ask for a line of text."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, placeholder: str = "", value: str = "", max_length: int = 500
    ) -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value, self.max_length = (
            title,
            placeholder,
            value,
            max_length,
        )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Input(value=self.value, placeholder=self.placeholder, max_length=self.max_length)
            yield Static("Enter to send, Escape to cancel.", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class MessageDialog(Dialog):
    """Write a private message to one delegation."""

    def __init__(self, view: RoleView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        others = [(r, self.view.role_name(r)) for r in self.view.order if r != self.view.role]
        with Vertical():
            yield Label("Private message", classes="title")
            yield Select(
                [(name, r) for r, name in others], prompt="To…", id="to", value=others[0][0]
            )
            yield Input(placeholder="What do you say? (Enter to send)", max_length=500, id="text")
            yield Static("Only the recipient will read it. Messages do not end your turn.")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        to = self.query_one("#to", Select).value
        text = plain_text(event.value).strip()
        if not isinstance(to, str):
            self.notify("Choose whom to write to.", severity="warning")
            return
        if not text:
            self.notify("Write something first, or press Escape.", severity="warning")
            return
        self.dismiss(Message(role=self.view.role, to=to, text=text))


class PledgeDialog(Dialog):
    """Set a pledge of one kind, with a what-if preview."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("left,minus", "step(-1)", "Less"),
        Binding("right,plus,equals_sign", "step(1)", "More"),
        Binding("enter", "submit", "Pledge"),
    ]

    def __init__(self, view: RoleView) -> None:
        super().__init__()
        self.view = view
        self.kinds = [
            k
            for k in view.pledge_kinds
            if view.capacity(k) > 0 or view.pledges.get(view.role, {}).get(k)
        ]
        self.units = {k: view.pledges.get(view.role, {}).get(k, 0) for k in self.kinds}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Pledges of {self.view.role_name(self.view.role)}", classes="title")
            yield OptionList(*[Option(escape(self._line(k)), id=k) for k in self.kinds], id="kinds")
            yield Static(id="preview")
            yield Static("↑↓ choose a kind · ←→ or -/+ change · Enter pledge · Esc cancel")

    def _line(self, kind: str) -> str:
        spec = self.view.pledge_kinds[kind]
        now = self.view.pledges.get(self.view.role, {}).get(kind, 0)
        want = self.units[kind]
        change = f" → {want}" if want != now else ""
        return f"{spec.label:<24} {now}{change} / {self.view.capacity(kind)} {spec.unit}"

    def on_mount(self) -> None:
        self._refresh()

    @property
    def kind(self) -> str | None:
        option_list = self.query_one("#kinds", OptionList)
        if option_list.highlighted is None or not self.kinds:
            return None
        return self.kinds[option_list.highlighted]

    def action(self) -> Action | None:
        kind = self.kind
        if kind is None:
            return None
        now = self.view.pledges.get(self.view.role, {}).get(kind, 0)
        want = self.units[kind]
        if want == now:
            return None
        if want == 0:
            return Withdraw(role=self.view.role, kind=kind)
        return PledgeAction(role=self.view.role, kind=kind, units=want)

    def action_step(self, direction: int) -> None:
        kind = self.kind
        if kind is None:
            return
        step = self.view.pledge_kinds[kind].step
        self.units[kind] = max(
            0, min(self.view.capacity(kind), self.units[kind] + direction * step)
        )
        self._refresh()

    def _refresh(self) -> None:
        option_list = self.query_one("#kinds", OptionList)
        for index, kind in enumerate(self.kinds):
            option_list.replace_option_prompt_at_index(index, escape(self._line(kind)))
        action = self.action()
        preview = self.query_one("#preview", Static)
        if action is None:
            preview.update("Change the number to see what it would do.")
            return
        preview.update(describe_preview(self.view.preview(action)))

    def on_option_list_option_highlighted(self) -> None:
        if self.is_mounted:
            self._refresh()

    def on_option_list_option_selected(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        action = self.action()
        if action is None:
            self.notify("Change a pledge first (← →), or press Escape.", severity="warning")
            return
        self.dismiss(action)


class ProposeDialog(Dialog):
    """Table a whole new package at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Table it"),
    ]

    def __init__(self, view: RoleView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Table a new package", classes="title")
            with VerticalScroll():
                for issue_id, issue in self.view.issues.items():
                    yield Label(issue.label)
                    yield Select(
                        [(o.label, o_id) for o_id, o in issue.options.items()],
                        value=self.view.package[issue_id],
                        allow_blank=False,
                        id=f"issue-{issue_id}",
                    )
            yield Static(id="preview")
            with Horizontal(classes="buttons"):
                yield Button("Table it (ctrl+s)", id="submit", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        first = next(iter(self.view.issues))
        self.query_one(f"#issue-{first}", Select).focus()  # Enter opens it; Tab moves on

    def package(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for issue_id in self.view.issues:
            value = self.query_one(f"#issue-{issue_id}", Select).value
            out[issue_id] = value if isinstance(value, str) else self.view.package[issue_id]
        return out

    def on_select_changed(self) -> None:
        package = self.package()
        preview = self.query_one("#preview", Static)
        if package == dict(self.view.package):
            preview.update("Change at least one issue.")
            return
        preview.update(
            describe_preview(self.view.preview(Propose(role=self.view.role, package=package)))
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_submit(self) -> None:
        package = self.package()
        if package == dict(self.view.package):
            self.notify("That package is already on the table.", severity="warning")
            return
        self.dismiss(Propose(role=self.view.role, package=package))


def describe_preview(preview: Preview) -> str:
    """One line: how credibility and own satisfaction would move."""
    dc = preview.credibility_after - preview.credibility_before
    ds = preview.satisfaction_after - preview.satisfaction_before
    return (
        f"What if: credibility {preview.credibility_before:.1f} → {preview.credibility_after:.1f} "
        f"({dc:+.1f}); your satisfaction {preview.satisfaction_before:.1f} → "
        f"{preview.satisfaction_after:.1f} ({ds:+.1f})"
    )
