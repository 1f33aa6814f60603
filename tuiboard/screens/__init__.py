"""Screens pushed over the board."""
