#!/bin/sh
# End-to-end test of training from the TUI in a detached tmux session: mark
# policies in the model view (t, p, P), open the training view (T), edit the
# settings, run, pause and resume, go back while it runs, cancel, run to the
# end, save a checkpoint (and refuse to save over the input), and the clear
# error for text data with a model that has no tokenizer. Skips (77) only
# when tmux is missing.
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipping"; exit 77; }
B=${WS_BUILDDIR:-.}
W="$B/wscope"
SOCK="wscope-train-test-$$"
TMP=$(mktemp -d)
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; echo "---- screen:"; T capture-pane -p -t w; echo "----"; fails=$((fails + 1)); }
shows() { T capture-pane -p -t w | grep -qF -- "$1"; }
# await TEXT [SECONDS]: poll the screen until it shows TEXT.
await() {
    deadline=$(( $(date +%s) + ${2:-10} ))
    until shows "$1"; do
        [ "$(date +%s)" -le "$deadline" ] || { fail "timed out waiting for: $1"; return 1; }
        sleep 0.05
    done
}
keys() { T send-keys -t w "$@"; }
run_tui() {
    T kill-session -t w 2>/dev/null
    T new-session -d -s w -x 110 -y 32 \
        "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \"$W\" $*; echo WSCOPE-EXIT=\$?; sleep 60"
}

# A tiny model with a word tokenizer, trained one step from init.
printf '%s\n' "The whale swam. The ship sailed, and the sea was calm; the whale dived." \
    "Call me Ishmael. The sea, the ship, the whale: all of them were grey." > "$TMP/a.txt"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do cat "$TMP/a.txt"; done > "$TMP/corpus.txt"
"$W" train --init --layers 1 --d 16 --heads 2 --block 16 --data "$TMP/corpus.txt" --steps 1 \
    --batch 2 --seq 16 --weights-only --out "$TMP/tiny.safetensors" > /dev/null 2>&1 ||
    { echo "FAIL: train --init"; exit 1; }
T new-session -d -s keep -x 20 -y 5 "sleep 120"

# ---- policy marks ----
run_tui "$TMP/tiny.safetensors"
await "tok_emb.weight"
keys / c_attn.weight Enter
keys t
await "blocks.0.attn.c_attn.weight: freeze"
keys t
await "blocks.0.attn.c_attn.weight: crystal:1"
keys p crystal:2 Enter
await " crystal:2 "                   # in the c_attn row's policy column
keys P C-u ln1=random Enter
await "ln1=random: 2 tensors"
keys P C-u qkv@7=freeze Enter
await 'policy pattern "qkv@7" selects no tensor'
keys p grid:0 Enter
await "policy grid:0: K must be an integer >= 1"

# ---- training view: settings, run, pause/resume, back, cancel ----
keys T
await "no run yet"
await "policies  3 tensors marked"
keys Enter C-u "$TMP/corpus.txt" Enter
await " data       corpus.txt"
keys j Enter C-u 1000000 Enter
await " steps      1000000"
keys j j j j j Enter C-u 0 Enter      # eval only at the end
await " eval every 0"
keys s
await "running   step"
await "frozen 3/"
keys p
await "paused    step"
s1=$(T capture-pane -p -t w | sed -n 's/^paused *step \([0-9]*\).*/\1/p')
sleep 0.5
s2=$(T capture-pane -p -t w | sed -n 's/^paused *step \([0-9]*\).*/\1/p')
[ -n "$s1" ] && [ "$s1" = "$s2" ] || fail "paused, yet the step moved: $s1 -> $s2"
keys p
await "running   step"
keys q
await "training: running, step"
keys T
await "running   step"
keys x
await "cancelled step"
await "stopped at step"

# ---- a whole run: numbers, plot, checkpoint ----
keys k k k k k Enter C-u 40 Enter j j j j j Enter C-u 10 Enter
await " steps      40"
keys s
await "done      step 40/40"
await "val "
await "largest updates |dW|"
T capture-pane -p -t w | grep -q '^loss [0-9.]*  val [0-9.]* @40  lr ' || fail "no loss numbers"
T capture-pane -p -t w | grep -q '◆' || fail "no validation points in the plot"
T capture-pane -p -t w | LC_ALL=C grep -q "$(printf '\342')[$(printf '\240\241\242\243')]" || fail "no braille loss line"
keys l
await "log y"
keys w Enter
await "saved the checkpoint of step 40 to $TMP/tiny-tuned.safetensors"
grep -aq 'crystal:2' "$TMP/tiny-tuned.safetensors" || fail "the checkpoint does not record crystal:2"
before=$("$W" eval "$TMP/tiny.safetensors" --data "$TMP/corpus.txt" --seq 16 | awk '{ print $2 }')
after=$("$W" eval "$TMP/tiny-tuned.safetensors" --data "$TMP/corpus.txt" --seq 16 | awk '{ print $2 }')
awk -v a="$after" -v b="$before" 'BEGIN { exit !(a != "" && a < b) }' || fail "loss $before -> $after did not fall"
# ---- strategies across seeds: full, marked, and one added ----
keys C
await "strategies across seeds"
await " marked       3 marked tensors"
keys a 'frz:*=freeze' Enter n 2 Enter
await " frz          *=freeze"
await "x seeds 1..2: 40 steps"
keys s
await "final losses: mean and sample std over the seeds"
for name in full marked frz; do   # val_start, val_end ± std, train_end ± std, vs first
    T capture-pane -p -t w | grep -q "^$name  *[0-9.]*  *[0-9.]* ± [0-9.]*  *[0-9.]* ± [0-9.]*  *[-+][0-9.]*%" ||
        fail "no row for strategy $name"
done
# Everything frozen: the loss after the run is the loss before it.
T capture-pane -p -t w | awk '$1 == "frz" && NF >= 7 { exit !($2 == $3 && $5 == "0.0000") }' ||
    fail "frz: val_end differs from val_start"
keys q
await "| train: settings, run and loss"
cp "$TMP/tiny.safetensors" "$TMP/orig.safetensors"
keys w C-u "$TMP/tiny.safetensors" Enter
await "not saved: refusing to overwrite an input file"
cmp -s "$TMP/tiny.safetensors" "$TMP/orig.safetensors" || fail "the input model changed"
keys Q
await "WSCOPE-EXIT=0"

# ---- a model without a tokenizer and text data: the engine's error ----
"$W" init --layers 1 --d 16 --heads 2 --vocab 64 --block 16 -o "$TMP/notok.safetensors" > /dev/null
run_tui "$TMP/notok.safetensors"
await "tok_emb.weight"
keys T
await " data       (none: Enter sets it)"
keys s
await "no data file"
keys Enter C-u "$TMP/corpus.txt" Enter s
await "text data needs a tokenizer"
keys Q
await "WSCOPE-EXIT=0"

echo "tui_train_e2e: $fails failure(s)"
[ $fails -eq 0 ]
