#!/bin/sh
# End-to-end test of the TUI's fit views in a detached tmux session: the
# fits table (F in the model view: every matrix fitted in the background,
# sorting, grid mode) and the row fit view (G in the row view: overlay,
# parameter table, K and mode changes). Skips (77) only when tmux is missing.
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipping"; exit 77; }
B=${WS_BUILDDIR:-.}
MODEL="$B/sample-models/sample.safetensors"
[ -f "$MODEL" ] || { echo "no sample model at $MODEL"; exit 1; }
SOCK="wscope-fit-test-$$"
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null' EXIT INT TERM
fails=0
screen() { T capture-pane -p -t w; }
wait_for() {
    i=0; lim=$(( ${2:-20} * 20 ))
    while [ $i -lt $lim ]; do
        screen 2>/dev/null | grep -qF -- "$1" && return 0
        sleep 0.05; i=$((i + 1))
    done
    echo "FAIL: timed out waiting for: $1"; echo "---- screen:"; screen; echo "----"
    fails=$((fails + 1)); return 1
}
keys() { T send-keys -t w "$@"; }

T new-session -d -s w -x 100 -y 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 $B/wscope $MODEL; sleep 60"
wait_for "tok_emb.weight"

# Fits table: all 11 weight matrices of the sample, then sorted by R2.
keys F
wait_for "fits: 11 matrices, K=4, free"
wait_for "11 of 11 matrices fitted; sorted by model order" 60
wait_for "blocks.1.mlp.2.weight"
keys s
wait_for "sorted by R2"
# mlp.2 rows are 256 long against 64: the lowest R2 sorts first.
screen | sed -n 3p | grep -q "mlp.2.weight" || { echo "FAIL: lowest R2 is not an mlp.2 row"; screen; fails=$((fails + 1)); }
keys m
wait_for "fits: 11 matrices, K=4, grid"
wait_for "11 of 11 matrices fitted" 60
keys q

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

echo "$fails failures"
test "$fails" -eq 0
