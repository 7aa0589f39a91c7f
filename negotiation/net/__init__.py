"""Networked play: a game server, seats on many machines, and the messages between them."""
