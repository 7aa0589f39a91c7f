"""Join codes: random, unguessable, and easy to read out and type.

A code is 12 characters of Crockford's base 32 (60 random bits), shown in groups of four:
``K7QM-4XPD-2R9T``. Typing is forgiving: case, spaces and dashes do not matter, and the letters
O, I and L are read as the digits they look like.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh random code, grouped for reading out."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(code: str) -> str:
    """The canonical form of a typed code (grouped), or "" if it cannot be one."""
    raw = "".join(code.split()).replace("-", "").upper().translate(_READ_AS)
    if len(raw) != LENGTH or any(c not in ALPHABET for c in raw):
        return ""
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))
