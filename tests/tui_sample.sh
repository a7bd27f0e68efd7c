#!/bin/sh
# The first minute with the bundled sample pair, in the real TUI through
# tmux: `wscope` alone opens the pre-trained model with its fine-tune as
# TUNED and a hint of the keys to try (gone at the first key), D shows the
# drift between them with numbers, T then s trains on the bundled Moby-Dick
# at once (a short run reaches "done"), and the compare view starts with
# its own short run length. Skips (77) only when tmux is missing.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
unset WSCOPE_SAMPLES
TUI_WAIT=60 TUI_COLS=120 TUI_ROWS=30
SM=$(cd "${WS_SRCDIR:-.}/sample-models" && pwd)
W=$(cd "$(dirname "$W")" && pwd)/wscope
cd "$TMP" || exit 1   # the run's log goes here: the samples' directory stays as it is

# ---- no MODEL: the sample pair, and the hint ----
tui_start --steps 3
wait_for "moby-dick.safetensors | model"
wait_for "tok_emb.weight"
wait_for "layer 1"
wait_for "TUNED open"
wait_for "try: S spectrum, L layers, F fits, D drift, T then s to train, ? every key"
keys j
wait_gone "try: S spectrum"

# ---- D: the drift to the fine-tune, with numbers ----
keys D
wait_for "drift: to moby-dick-sotu.safetensors"
wait_for "network RMS"
screen | grep -Eq '^ *qkv@0 +[0-9.]+e?-?[0-9]* +[0-9.]+' ||
    screen | grep -Eq 'c_attn.weight +qkv@0 +[0-9]' || fail "no numbers in the drift table"
screen | grep -Eq 'network RMS [0-9.e-]+ +cos 0\.[0-9]+' || fail "no network drift numbers"
keys q
wait_for "| model"

# ---- T then s: a run on the bundled corpus, to the end ----
keys T
wait_for " data       moby-dick.txt.gz"
wait_for " steps      3"
keys s
wait_for "done      run 1  step 3"
[ -f "$TMP/moby-dick-run1.csv" ] || fail "no log in the current directory"
[ ! -f "$SM/moby-dick-run1.csv" ] || fail "a run's log was written into $SM"
keys C
wait_for "each strategy x seeds 1..3: 30 steps"
keys N 12 Enter
wait_for "each strategy x seeds 1..3: 12 steps"
keys q q Q
wait_for "s save, d discard, other keys stay"
keys d
wait_for "WSCOPE-EXIT=0"

# ---- the hint also goes with ? (and stays gone) ----
tui_start
wait_for "try: S spectrum"
keys '?'
wait_for "Keys in the model view"
keys q
wait_for "| model"
wait_for "tok_emb.weight"
absent "try: S spectrum"
keys Q
wait_for "WSCOPE-EXIT=0"

tui_finish tui_sample
