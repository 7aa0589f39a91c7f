"""Escaping text for Textual markup.

``textual.markup.escape`` leaves some bracketed text alone (``[A]``, ``[Team 1]``) that the
markup parser then reads as a tag and drops. Player-written text (team names, messages, save
names) goes through :func:`escape` here instead, which escapes every opening bracket.
"""

from __future__ import annotations


def escape(text: str) -> str:
    """``text`` shown as written in Textual markup: every ``[`` escaped, and a zero-width space
    after a trailing backslash (which would otherwise escape the markup that follows)."""
    escaped = text.replace("[", "\\[")
    return escaped + "\u200b" if escaped.endswith("\\") else escaped
