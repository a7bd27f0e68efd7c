#!/bin/sh
# The spectra views in the real TUI, driven through tmux: spectrum (S),
# layers (L) and drift (D, with two models), their keys, the ΔW heatmap,
# a layer on one side only, and the message when drift cannot run. Skips (77) without tmux.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
TUI_WAIT=20 TUI_COLS=110 TUI_ROWS=32

for s in 2 3; do
    "$W" init --layers 2 --d 64 --heads 4 --vocab 500 --block 32 --seed $s -o "$TMP/m$s.safetensors" >/dev/null
done
"$W" init --layers 3 --d 64 --heads 4 --vocab 500 --block 32 --seed 2 -o "$TMP/m3l.safetensors" >/dev/null

tui_start "$TMP/m2.safetensors" "$TMP/m3.safetensors"
wait_for "tok_emb.weight"
# Spectrum: plot, list, pairs, cursor, axis.
keys S
wait_for "64 eigenvalues, 0 pairs (p ≤ 0.01, Bonferroni over 63 gaps), log10 axis"
wait_for "λ[0] = 0.35842149  s = 0.598683  s/s0 = 1.0000  gap to 1: spacing"
keys l
wait_for "linear axis"
keys q
# Layers: table, global amplitude row, sorting, bars, open a matrix.
keys L
wait_for "(all layers)"
wait_for "ampPR"
wait_for "PR vs noise"
wait_for "vs noise: z against 10 Gaussian draws | PR: centred covariance"
keys s
wait_for "PRv"
keys g Enter
wait_for "matrix: head.weight"
keys q b
wait_for "PR by row (max 56.86)"
keys b
# The selected column's description, and the table scrolling sideways to
# keep the selected column in view (the name columns stay).
wait_for "PR: weight participation ratio"
tm resize-window -t w -x 72 -y 30
# (PR, PR vs noise, PC1%, c95, srank, alpha, alpha^, spikes, ampPR, ampPR vs
# noise, ampPC1%, amp95, max|r|, kurt)
keys Right Right Right Right Right Right Right Right Right Right Right Right Right
wait_for "kurt: excess kurtosis of all the amplitudes"
screen | sed -n 2p | grep -q "role  *< " || fail "no < where columns scrolled out on the left"
shows "c95" && fail "the first columns should have scrolled out of view"
shows "mlp_down@1" || fail "the role column should stay"
tm resize-window -t w -x 160 -y 30
wait_for "c95"
keys q
# Drift: table, bars by layer, the ΔW heatmap.
keys D
wait_for "network RMS 0.0254  cos 0.856543  mean cos"
keys Right Right Right Right   # the status column, scrolled into view
wait_for "base and tuned are zero"
keys Left Left Left Left
keys Enter
wait_for "TUNED - MODEL: tok_emb.weight"
keys q b
wait_for "layer 1"
keys Q
wait_for "WSCOPE-EXIT=0"

# Pairs marked only where the spacing test finds them: the planted fixture.
tui_start "${WS_SRCDIR:-.}/tests/fixtures/planted_pair.safetensors"
wait_for "tok_emb.weight"
keys S
wait_for "32 eigenvalues, 2 pairs (p ≤ 0.01, Bonferroni over 31 gaps)"
wait_for "gap p pair"
keys ]
wait_for "pair 3-4, gap 0.000%, p 4.6e-14"
keys ]
wait_for "pair 10-11, gap 0.000%, p 1.5e-14"
keys Q
wait_for "WSCOPE-EXIT=0"

# Drift needs two models of the same layout.
tui_start "$TMP/m2.safetensors"
wait_for "tok_emb.weight"
keys D
wait_for "drift needs two models: wscope MODEL TUNED"
keys Q
wait_for "WSCOPE-EXIT=0"
tui_start "$TMP/m2.safetensors" "$TMP/m3l.safetensors"
wait_for "tok_emb.weight"
keys D
wait_for "network RMS "
keys End
wait_for "only in TUNED"
keys Q
wait_for "WSCOPE-EXIT=0"

tui_finish tui_spectra
