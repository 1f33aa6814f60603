"""tuiboard: the terminal board, the CLI and the charts over a pipeline folder."""
