"""The messages of networked play: JSON objects over a WebSocket, each with a ``type``.

The first message on a connection says which protocol version the client speaks (``hello`` to
take a seat, ``create`` to set up a game, ``export`` to fetch a game's save); a server that
speaks another version answers with an error and closes. Every message in either direction is
validated by these models: the server trusts nothing that comes off the network, and the
client trusts only what parses.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from negotiation import MAX_ROUNDS
from negotiation.classroom import Classroom, RoundTimer, Team
from negotiation.engine import Action, LogEntry

PROTOCOL = 2
"""The protocol version; a client and a server of different versions refuse each other.
(2: the stress result tells its future as a story of facts, worded by each client.)"""

MAX_MESSAGE_BYTES = 1_000_000
"""Largest message either side accepts (a scenario to create a game from is the largest)."""

DEFAULT_PORT = 8750
DEFAULT_WEB_PORT = 8751

Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
"""A join code as typed (normalised by :func:`negotiation.net.codes.normalise`)."""

ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
"""The id a client gives an action, so that a retried action is applied once."""


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- client to server ---------------------------------------------------------------------------


class Hello(_Message):
    """Take the seat a join code opens (first message of a seat's connection)."""

    type: Literal["hello"] = "hello"
    protocol: int
    code: Code


class Create(_Message):
    """Set up a new game (first and only message of its connection)."""

    type: Literal["create"] = "create"
    protocol: int
    scenario: dict[str, Any]
    """The scenario's data, as a scenario file holds it; the server checks it as a file."""
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    rounds: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)


class Export(_Message):
    """Fetch a game's save; only the facilitator's code may (first and only message)."""

    type: Literal["export"] = "export"
    protocol: int
    code: Code


class Act(_Message):
    """Make a move in the seat this connection holds."""

    type: Literal["act"] = "act"
    id: ClientId
    action: Action


class TimerOp(_Message):
    """The facilitator sets, starts, pauses or extends the round timer (the server's clock)."""

    type: Literal["timer"] = "timer"
    op: Literal["set", "start", "pause", "extend", "clear", "put"]
    seconds: float = Field(default=0.0, ge=0, le=3 * 60 * 60)
    timer: RoundTimer | None = None
    """For "put": the timer as the facilitator's console worked it out on the server's clock."""


class Settings(_Message):
    """The facilitator decides what the projector shows, and names the teams."""

    type: Literal["settings"] = "settings"
    reveal: bool = False
    projector: Literal["table", "debrief"] = "table"
    debrief_page: int = Field(default=0, ge=0, le=100)
    teams: dict[str, Team] | None = None
    """None keeps the teams as they are."""


class Ping(_Message):
    type: Literal["ping"] = "ping"


class NewCode(_Message):
    """The facilitator gives a seat a new join code: the old one stops working, and whoever
    holds the seat with it is disconnected (a code that got into the wrong hands)."""

    type: Literal["new_code"] = "new_code"
    seat: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


ClientMessage = Annotated[
    Hello | Create | Export | Act | TimerOp | Settings | Ping | NewCode, Discriminator("type")
]
CLIENT_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


# --- server to client ---------------------------------------------------------------------------


class Welcome(_Message):
    """The seat is taken: everything it may know of the game, as it stands."""

    type: Literal["welcome"] = "welcome"
    protocol: int = PROTOCOL
    game: str
    seat: str
    scenario: dict[str, Any]
    """The scenario as this seat may know it (see :func:`redact_scenario`)."""
    state: dict[str, Any]
    log: list[LogEntry]
    classroom: Classroom
    """Teams, the round timer (in the server's clock) and what the projector shows."""
    now: float
    """The server's clock when this was sent (UNIX seconds): a client's round timer counts
    from it, whatever its own clock says."""


class Update(_Message):
    """The game changed: the fields of the state that changed (and the seat's own fields,
    always), and the log entries added that the seat may read."""

    type: Literal["update"] = "update"
    state: dict[str, Any]
    log: list[LogEntry]
    accepted: str | None = None
    """In the update sent to the seat that moved: its move's id (the receipt)."""


class Accepted(_Message):
    """A move was taken (or had already been: a retried move is applied once)."""

    type: Literal["accepted"] = "accepted"
    id: str
    step: int


class ClassroomUpdate(_Message):
    """The facilitator changed the classroom settings (the timer among them)."""

    type: Literal["classroom"] = "classroom"
    classroom: Classroom
    now: float


class Created(_Message):
    type: Literal["created"] = "created"
    game: str
    codes: dict[str, str]


class Saved(_Message):
    type: Literal["save"] = "save"
    save: dict[str, Any]


class Error(_Message):
    """Something the client sent was refused; ``fatal`` when the server closes after it."""

    type: Literal["error"] = "error"
    reason: str
    id: str | None = None
    fatal: bool = False
    unknown_code: bool = False
    """The join code opens no seat (mistyped, or replaced by the facilitator): joining again
    with it is no use."""


class Pong(_Message):
    type: Literal["pong"] = "pong"


class Presence(_Message):
    """Who is connected now (seat ids), sent to every seat when someone joins or leaves."""

    type: Literal["presence"] = "presence"
    seats: list[str]


class CodeChanged(_Message):
    """To the facilitator: the seat's new join code."""

    type: Literal["code"] = "code"
    seat: str
    code: str


ServerMessage = Annotated[
    Welcome
    | Update
    | Accepted
    | ClassroomUpdate
    | Created
    | Saved
    | Error
    | Pong
    | Presence
    | CodeChanged,
    Discriminator("type"),
]
SERVER_ADAPTER: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


class ProtocolError(ValueError):
    """A message that is not one of the protocol's (its text says why, in one line)."""


def encode(message: BaseModel) -> str:
    return message.model_dump_json()


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def decode_client(text: str | bytes) -> ClientMessage:
    """A client's message, validated.

    Raises:
        ProtocolError: not JSON, not an object, an unknown type or a bad field.
    """
    return _decode(text, CLIENT_ADAPTER)  # type: ignore[no-any-return]


def decode_server(text: str | bytes) -> ServerMessage:
    """A server's message, validated (the same checks as :func:`decode_client`)."""
    return _decode(text, SERVER_ADAPTER)  # type: ignore[no-any-return]


def _decode(text: str | bytes, adapter: TypeAdapter[Any]) -> Any:
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message larger than {MAX_MESSAGE_BYTES} bytes")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError("not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("not a JSON object")
    if "type" not in data:
        raise ProtocolError('no "type"')
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:  # one line: the field and the reason
        raise ProtocolError(
            f"bad {str(data.get('type'))[:40]!r} message: {_first_error(exc)}"
        ) from None
