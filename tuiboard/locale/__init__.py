"""The board's words per language (see `tuiboard.labels`): one module per language code."""
