#!/bin/sh
# End-to-end test of training from the TUI in a detached tmux session: mark
# policies in the model view (t, p, P), open the training view (T), edit the
# settings, run, pause and resume, go back while it runs, cancel, run to the
# end, save a checkpoint (and refuse to save over the input), and the clear
# error for text data with a model that has no tokenizer. Skips (77) only
# when tmux is missing.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
TUI_COLS=110 TUI_ROWS=32

# A tiny model with a word tokenizer, trained one step from init.
printf '%s\n' "The whale swam. The ship sailed, and the sea was calm; the whale dived." \
    "Call me Ishmael. The sea, the ship, the whale: all of them were grey." > "$TMP/a.txt"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do cat "$TMP/a.txt"; done > "$TMP/corpus.txt"
"$W" train --init --layers 1 --d 16 --heads 2 --block 16 --data "$TMP/corpus.txt" --steps 1 \
    --batch 2 --seq 16 --weights-only --out "$TMP/tiny.safetensors" > /dev/null 2>&1 ||
    { echo "FAIL: train --init"; exit 1; }

# ---- policy marks ----
tui_start "$TMP/tiny.safetensors"
wait_for "tok_emb.weight"
keys / c_attn.weight Enter
keys t
wait_for "blocks.0.attn.c_attn.weight: freeze"
keys t
wait_for "blocks.0.attn.c_attn.weight: crystal:1"
keys p crystal:2 Enter
wait_for " crystal:2 "                   # in the c_attn row's policy column
keys P C-u ln1=random Enter
wait_for "ln1=random: 2 tensors"
keys P C-u qkv@7=freeze Enter
wait_for 'policy pattern "qkv@7" selects no tensor'
keys p grid:0 Enter
wait_for "policy grid:0: K must be an integer >= 1"

# ---- training view: settings, run, pause/resume, back, cancel ----
keys T
wait_for "no run yet"
wait_for "policies  3 tensors marked"
keys Enter C-u "$TMP/corpus.txt" Enter
wait_for " data       corpus.txt"
keys j Enter C-u 1000000 Enter
wait_for " steps      1000000"
keys j j j j j Enter C-u 0 Enter      # eval only at the end
wait_for " eval every 0"
keys s
wait_for "running   step"
wait_for "frozen 3/"
keys p
wait_for "paused    step"
s1=$(screen | sed -n 's/^paused *step \([0-9]*\).*/\1/p')
sleep 0.5
s2=$(screen | sed -n 's/^paused *step \([0-9]*\).*/\1/p')
[ -n "$s1" ] && [ "$s1" = "$s2" ] || fail "paused, yet the step moved: $s1 -> $s2"
keys p
wait_for "running   step"
keys q
wait_for "training: running, step"
keys T
wait_for "running   step"
keys x
wait_for "cancelled step"
wait_for "stopped at step"

# ---- a whole run: numbers, plot, checkpoint ----
keys k k k k k Enter C-u 40 Enter j j j j j Enter C-u 10 Enter
wait_for " steps      40"
keys s
wait_for "done      step 40/40"
wait_for "val "
wait_for "largest updates |dW|"
screen | grep -q '^loss [0-9.]*  val [0-9.]* @40  lr ' || fail "no loss numbers"
screen | grep -q '◆' || fail "no validation points in the plot"
screen | LC_ALL=C grep -q "$(printf '\342')[$(printf '\240\241\242\243')]" || fail "no braille loss line"
keys l
wait_for "log y"
keys w Enter
wait_for "saved the checkpoint of step 40 to $TMP/tiny-tuned.safetensors"
grep -aq 'crystal:2' "$TMP/tiny-tuned.safetensors" || fail "the checkpoint does not record crystal:2"
before=$("$W" eval "$TMP/tiny.safetensors" --data "$TMP/corpus.txt" --seq 16 | awk '{ print $2 }')
after=$("$W" eval "$TMP/tiny-tuned.safetensors" --data "$TMP/corpus.txt" --seq 16 | awk '{ print $2 }')
awk -v a="$after" -v b="$before" 'BEGIN { exit !(a != "" && a < b) }' || fail "loss $before -> $after did not fall"
# ---- strategies across seeds: full, marked, and one added ----
keys C
wait_for "strategies across seeds"
wait_for " marked       3 marked tensors"
keys a 'frz:*=freeze' Enter n 2 Enter
wait_for " frz          *=freeze"
wait_for "x seeds 1..2: 40 steps"
keys s
wait_for "final losses: mean and sample std over the seeds"
wait_for "val_end sd"
for name in full marked frz; do   # seeds, val_start, val_end, sd, train_end, sd, vs first
    screen | grep -q "^$name  *2  *[0-9.]*  *[0-9.]*  *[0-9.]*  *[0-9.]*  *[0-9.]*  *[-+][0-9.]*" ||
        fail "no row for strategy $name"
done
# Everything frozen: the loss after the run is the loss before it.
screen | awk '$1 == "frz" && NF >= 8 { exit !($3 == $4 && $5 == "0.0000") }' ||
    fail "frz: val_end differs from val_start"
keys q
wait_for "| train: settings, run and loss"
cp "$TMP/tiny.safetensors" "$TMP/orig.safetensors"
keys w C-u "$TMP/tiny.safetensors" Enter
wait_for "not saved: refusing to overwrite an input file"
cmp -s "$TMP/tiny.safetensors" "$TMP/orig.safetensors" || fail "the input model changed"
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- a model without a tokenizer and text data: the engine's error ----
"$W" init --layers 1 --d 16 --heads 2 --vocab 64 --block 16 -o "$TMP/notok.safetensors" > /dev/null
tui_start "$TMP/notok.safetensors"
wait_for "tok_emb.weight"
keys T
wait_for " data       (none: Enter sets it)"
keys s
wait_for "no data file"
keys Enter C-u "$TMP/corpus.txt" Enter s
wait_for "text data needs a tokenizer"
keys Q
wait_for "WSCOPE-EXIT=0"

tui_finish tui_train_e2e
