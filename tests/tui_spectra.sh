#!/bin/sh
# The spectra views in the real TUI, driven through tmux: spectrum (S),
# layers (L) and drift (D, with two models), their keys, the ΔW heatmap,
# and the messages when drift cannot run. Skips (77) without tmux.
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipping"; exit 77; }
B=${WS_BUILDDIR:-.}
W="$B/wscope"
D=$(mktemp -d /tmp/wscope-tuis-XXXXXX)
SRV="wscope-spectra-$$"
tm() { tmux -L "$SRV" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$D"' EXIT INT TERM
bad=0

# see TEXT: poll the screen (up to 20 s) until it contains TEXT.
see() {
    n=0
    until tm capture-pane -p -t s 2>/dev/null | grep -qF -- "$1"; do
        n=$((n + 1))
        if [ $n -gt 400 ]; then
            echo "FAIL: never saw: $1"; tm capture-pane -p -t s; bad=$((bad + 1)); return 1
        fi
        sleep 0.05
    done
}
# run ARGS: wscope in a new 110x32 session, UTF-8, exit status shown at the end.
run() {
    tm kill-session -t s 2>/dev/null
    tm new-session -d -s s -x 110 -y 32 \
        "env LANG=C.UTF-8 LC_ALL=C.UTF-8 $W $*; echo EXIT=\$?; sleep 30"
}
press() { tm send-keys -t s "$@"; }

for s in 2 3; do
    "$W" init --layers 2 --d 64 --heads 4 --vocab 500 --block 32 --seed $s -o "$D/m$s.safetensors" >/dev/null
done
"$W" init --layers 3 --d 64 --heads 4 --vocab 500 --block 32 --seed 2 -o "$D/m3l.safetensors" >/dev/null
tm new-session -d -s keep -x 20 -y 5 "sleep 300"

run "$D/m2.safetensors" "$D/m3.safetensors"
see "tok_emb.weight"
# Spectrum: plot, list, pairs, cursor, axis.
press S
see "64 eigenvalues, 13 pairs (tol 0.01), log10 axis"
see "λ[0] = 0.35842149"
see "◆ gap 0.26%"
press ]
see "λ[9] = "
see "pair 9-10, gap 0.263%"
press l
see "linear axis"
press q
# Layers: table, global amplitude row, sorting, bars, open a matrix.
press L
see "(all layers)"
see "ampPR"
press s
see "PRv"
press g Enter
see "matrix: head.weight"
press q b
see "PR by row (max 56.86)"
press q
# Drift: table, bars by layer, the ΔW heatmap.
press D
see "model: RMS 0.0254, relative 0.5355, cosine 0.856543"
see "base and tuned are zero"
press Enter
see "TUNED - MODEL: tok_emb.weight"
press q b
see "layer 1"
press Q
see "EXIT=0"

# Drift needs two models of the same layout.
run "$D/m2.safetensors"
see "tok_emb.weight"
press D
see "drift needs two models: wscope MODEL TUNED"
press Q
see "EXIT=0"
run "$D/m2.safetensors" "$D/m3l.safetensors"
see "tok_emb.weight"
press D
see "cannot compare the models: tensor blocks.2."
press Q
see "EXIT=0"

[ $bad -eq 0 ] && echo "all passed"
exit $bad
