"""The board screen and what its keys do.

`base.BoardBase` owns the view state (filter, search, sort, density, the lost column, the
selection) and drawing; `screen.BoardScreen` adds the keys (`tuiboard.keymap`).
The keys that open dialogs or write run the flows next to the state they change: `moves`
(move, won, lost: criteria, reasons, hooks), `edits` (new, edit, next action, log → next),
`writes` (one write on the store thread, with its undo entry and hooks), `undo`, `editor`
($EDITOR and the problems panel), `lookups` (filter, details, jump, today, charts) and
`palette` (customers in the command palette).
"""
