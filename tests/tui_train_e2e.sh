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
tiny_model

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
wait_for "policies  4 marked"             # c_attn's bias follows its crystal matrix
keys Enter C-u "$TMP/corpus.txt" Enter
wait_for " data       corpus.txt"
keys j Enter C-u 1000000 Enter
wait_for " steps      1000000"
keys j j j j j Enter C-u 0 Enter      # eval only at the end
wait_for " eval every 0"
keys s
wait_for "running   run 1  step"
wait_for "frozen 4/"
keys p
wait_for "paused    run 1  step"
s1=$(screen | sed -n 's/^paused *run 1  step \([0-9]*\).*/\1/p')
sleep 0.5
s2=$(screen | sed -n 's/^paused *run 1  step \([0-9]*\).*/\1/p')
[ -n "$s1" ] && [ "$s1" = "$s2" ] || fail "paused, yet the step moved: $s1 -> $s2"
keys p
wait_for "running   run 1  step"
keys q
wait_for "training: running, step"
keys T
wait_for "running   run 1  step"
keys x
wait_for "stopped   run 1  step"
wait_for "stopped at step"

# ---- a whole run: numbers, plot, checkpoint ----
keys k k k k k Enter C-u 40 Enter j j j j j Enter C-u 10 Enter
wait_for " steps      40"
keys s
wait_for "done      run 2  step 40/40"
wait_for "val "
wait_for "largest updates |dW|"
screen | grep -q '^loss [0-9.]*  smoothed [0-9.]*  val [0-9.]* @40  lr ' || fail "no loss numbers"
screen | grep -q '◆' || fail "no validation points in the plot"
screen | LC_ALL=C grep -q "$(printf '\342')[$(printf '\240\241\242\243')]" || fail "no braille loss line"
keys l
wait_for "log y"
keys w Enter
wait_for "saved the checkpoint of step 40 to $TMP/tiny-run2.safetensors"
grep -aq 'crystal:2' "$TMP/tiny-run2.safetensors" || fail "the checkpoint does not record crystal:2"
before=$("$W" eval "$TMP/tiny.safetensors" --data "$TMP/corpus.txt" --seq 16 | awk '{ print $2 }')
after=$("$W" eval "$TMP/tiny-run2.safetensors" --data "$TMP/corpus.txt" --seq 16 | awk '{ print $2 }')
awk -v a="$after" -v b="$before" 'BEGIN { exit !(a != "" && a < b) }' || fail "loss $before -> $after did not fall"
# ---- strategies across seeds: full, marked, and one added ----
keys C
wait_for "strategies across seeds"
wait_for " marked       4 marked tensors"
keys a 'frz:*=freeze' Enter n 2 Enter
wait_for " frz          *=freeze"
wait_for "x seeds 1..2: 30 steps"   # the compare view's own default (N)
keys n 0 Enter                      # out of range: said, and the setting stays
wait_for 'seeds: expected a whole number in 1..100, got "0"'
keys N x Enter
wait_for 'steps: expected a whole number in 1..1000000000, got "x"'
wait_for "x seeds 1..2: 30 steps"
keys s
wait_for "final losses over the seeds"
wait_for "val_end sd"
for name in full marked frz; do   # seeds, val_start, val_end, sd, train_end, sd, vs first
    screen | grep -q "^$name  *2  *[0-9.]*  *[0-9.]*  *[0-9.]*  *[0-9.]*  *[0-9.]*  *[-+][0-9.]*" ||
        fail "no row for strategy $name"
done
screen | grep -q '^full .*+0.00  *- *$' || fail "full: not the reference of the verdicts"
screen | grep -q '^frz .* differs *$' || fail "frz: freezing everything is not outside the seed noise"
wait_for "mean training loss over the seeds (EMA 0.90), band: ±1 std"
wait_for "━ full  ━ marked  ━ frz"
# Everything frozen: the loss after the run is the loss before it.
screen | awk '$1 == "frz" && NF >= 8 { exit !($3 == $4 && $5 == "0.0000") }' ||
    fail "frz: val_end differs from val_start"
keys q
wait_for "| train: settings, runs and loss"
cp "$TMP/tiny.safetensors" "$TMP/orig.safetensors"
keys w C-u "$TMP/tiny.safetensors" Enter
wait_for "not saved: refusing to overwrite an input file"
cmp -s "$TMP/tiny.safetensors" "$TMP/orig.safetensors" || fail "the input model changed"
# Run 1 was stopped and never saved: quitting asks; d discards.
keys Q
wait_for "quit? 1 run is not saved: s save, d discard, other keys stay"
keys d
wait_for "WSCOPE-EXIT=0"

# ---- a model without a tokenizer and text data: the engine's error ----
"$W" init --layers 1 --d 16 --heads 2 --vocab 64 --block 16 -o "$TMP/notok.safetensors" > /dev/null
tui_start "$TMP/notok.safetensors"
wait_for "tok_emb.weight"
keys T
wait_for " data       (none: Enter)"
keys s
wait_for "no data file"
keys Enter C-u "$TMP/corpus.txt" Enter s
wait_for "text data needs a tokenizer"
keys Q
wait_for "WSCOPE-EXIT=0"

tui_finish tui_train_e2e
