#!/bin/sh
# The TUI on terminals it cannot drive: TERM=dumb, TERM unset, an unknown
# TERM: one line saying why, exit 2, never a blank screen.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
need_sample
tui_start_env "TERM=dumb" "$MODEL"
wait_for "TERM=dumb cannot move the cursor" && wait_for "WSCOPE-EXIT=2"
tui_start_env "TERM=" "$MODEL"
wait_for "TERM is not set" && wait_for "WSCOPE-EXIT=2"
tui_start_env "TERM=no-such-terminal-wscope" "$MODEL"
wait_for "no terminfo entry" && wait_for "WSCOPE-EXIT=2"
tui_finish tui_term
