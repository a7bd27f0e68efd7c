#!/bin/sh
# End-to-end test of the TUI's fit views in a detached tmux session: the
# fits table (F in the model view: every matrix fitted in the background,
# sorting, grid mode) and the row fit view (G in the row view: overlay,
# parameter table, K and mode changes). Skips (77) only when tmux is missing.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
TUI_WAIT=20
need_sample

tui_start "$MODEL"
wait_for "tok_emb.weight"

# Fits table: all 11 weight matrices of the sample, 32 evenly spaced rows
# each by default, then sorted by R2.
keys F
wait_for "fits: 11 matrices, K=4, free, 32 rows per matrix"
wait_for "11 of 11 matrices fitted (32 evenly spaced rows each); sorted by model order" 60
# the null baselines fill in after the fits: R2 against Gaussian noise rows
wait_for "R2 vs noise"
screen | sed -n 3p | grep -q "[0-9]\.[0-9]  *[0-9]\.[0-9]" || fail "no R2 vs noise value in the first row"
wait_for "mlp_down@1"   # the role column tells the layers apart
screen | grep -q "blocks.1.mlp.2.weight  *mlp_down@1 " || fail "no row blocks.1.mlp.2.weight mlp_down@1"
keys s
wait_for "sorted by R2 (descending)"   # the most first: the column says higher is more
wait_for "R2: pooled R^2"              # the selected column's description
keys s
wait_for "sorted by R2 (ascending)"
# mlp.2 rows are 256 long against 64: the lowest R2 sorts first.
screen | sed -n 3p | grep -q "mlp.2.weight" || fail "lowest R2 is not an mlp.2 row"
keys m
wait_for "fits: 11 matrices, K=4, grid, 32 rows per matrix"
wait_for "11 of 11 matrices fitted" 60
# r: more rows per matrix; a: all rows, and x cancels that (no row is left
# reading "fitting"); Enter opens the selected matrix.
keys r
wait_for "K=4, grid, 64 rows per matrix"
wait_for "11 of 11 matrices fitted (64 evenly spaced rows each)" 60
keys m a x
wait_for "K=4, free, all rows"
wait_for "cancelled: the matrices shown are done" 60
screen | grep -q "fitting" && fail "a row still reads fitting after x"
keys a
wait_for "11 of 11 matrices fitted (all rows; no null baselines)" 120
keys Home
first=$(screen | sed -n 3p | awk '{ print $1 }')
keys Enter
wait_for "matrix: $first "
keys q q

# Row fit view: open tok_emb, its row 0, then G.
keys Home Enter
wait_for "matrix: tok_emb.weight"
keys r
wait_for "row 0"
keys G
wait_for "row fit: tok_emb.weight row 0: 4 Gaussians, free"
wait_for "status=converged"
wait_for "free K=4  R2=0."
wait_for "sigma"
keys +
wait_for "5 Gaussians, free"
wait_for "free K=5"
keys m
wait_for "5 Gaussians, grid"
wait_for "status=grid"
keys j
wait_for "tok_emb.weight row 1: 5 Gaussians, grid"
keys Space r
wait_for "residual"
keys '?'
wait_for "Keys in the row fit view"
keys q q q q Q
wait_for "WSCOPE-EXIT=0"

tui_finish tui_fit_e2e
