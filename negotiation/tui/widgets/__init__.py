"""Widgets of the negotiation table."""
