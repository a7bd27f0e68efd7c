#!/bin/sh
# The training console end to end in tmux: two runs with different policies
# both in the runs list and overlaid with a legend; each TUI run's CSV log
# beside the model, complete and readable (--runs reads it back); --runs on
# a growing log shows the rows as they are appended; a run's weights as
# TUNED (the drift view of what it changed); the loss figure; the matrices
# with PR, amplitude PR and their z beside the policies; --view; q
# during a run asks and the run goes on; SIGTERM during a run leaves a
# loadable recovery checkpoint. Skips (77) only when tmux is missing.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
TUI_COLS=110 TUI_ROWS=34 TUI_WAIT=30
S=${WS_SRCDIR:-.}

tiny_model
# A CSV log of n data rows: header, n steps, then the final evaluation.
rows() { awk -F, 'NR == 1 { n = NF } NR > 1 && NF == n { k++ } END { print k + 0 }' "$1"; }

# ---- two runs, different policies; overlay; logs ----
tui_start "$TMP/tiny.safetensors" --view train --data "$TMP/corpus.txt" --steps 30
wait_for "settings of the next run"
wait_for " steps      30"
keys s
wait_for "done      run 1  step 30/30"
keys q                                   # to the model view: mark a policy, come back
wait_for "tok_emb.weight"
keys P C-u qkv=freeze Enter
wait_for "qkv=freeze: 2 tensors; "
wait_for "% trainable"
keys Down                                # the info line keeps the running total
i=0
until screen | grep -Eq '^training: done, step 30/30, .*; next run [0-9.]+ % trainable'; do
    i=$((i + 1)); [ $i -lt $((200 * TUI_SLOW)) ] || { fail "the model view's info line has no trainable share"; break; }
    sleep 0.05
done
keys T
wait_for "policies  2 marked"
wait_for " trainable 8"
keys s
wait_for "done      run 2  step 30/30"
wait_for " run 1 "
screen | grep -q '^ *● run 2 *done *30 ' || fail "run 2 is not in the runs list, shown"
screen | grep -q '^ *run 1 *done *30 ' || fail "run 1 is not in the runs list (hidden)"
absent "━ run 1"                         # a new run is shown alone
keys Tab                                  # the runs list: the selected run's settings, policies
wait_for "run 2: policies blocks.0.attn.c_attn.weight=freeze, blocks.0.attn.c_attn.bias=freeze | 30 steps"
keys k
wait_for "run 1: policies all train | 30 steps, batch 8, seq 16, lr 0.0006, seed 1, eval every 20, data"
keys Space                                # run 1 into the plot too
wait_for "━ run 1  ━ run 2"
screen | grep -q '^ *● run 1 *done' || fail "run 1 not marked as shown"
keys l
wait_for "log y"
keys .
wait_for "smoothing 0.95"
keys z
wait_for "last 100 steps"
keys n C-u baseline Enter
wait_for "━ baseline  ━ run 2"
# the selected run's weights as TUNED: D shows what it changed
keys t
wait_for "TUNED: baseline (step 30); d in a matrix, D in the model view show its change"
keys e
wait_for "wrote "
ls "$TMP"/tiny-loss-runs.png > /dev/null 2>&1 || fail "no loss figure"
keys q
wait_for "tok_emb.weight"
keys D
wait_for "drift: to baseline"
# A run started from an earlier run's weights: the start is a setting, and
# as TUNED it says D shows both runs' change from the model file.
keys q T
wait_for "settings of the next run"
keys Tab Down Down Down Down Down Down Down Enter C-u 'run 1' Enter
wait_for " start from baseline's weights (run 1)"
keys s
wait_for "done      run 3  step 30/30"
keys t
wait_for "TUNED: run 3 (step 30), from baseline's weights: d and D show both runs' change"
keys q Q
wait_for "quit? 3 runs are not saved"
keys d
wait_for "WSCOPE-EXIT=0"
for k in 1 2; do
    log="$TMP/tiny-run$k.csv"
    [ -f "$log" ] || { fail "no log $log"; continue; }
    [ "$(rows "$log")" -eq 31 ] || fail "$log: $(rows "$log") whole rows, not 31"
    head -n 1 "$log" | grep -q '^step,loss,val_loss,lr,grad_norm,tokens_per_s,n_frozen,update:' ||
        fail "$log: not the --log columns"
done
awk -F, 'NR > 1 && $1 == 29 { exit !($7 == 2) }' "$TMP/tiny-run2.csv" || fail "run 2's log: n_frozen is not 2"

# ---- --runs reads them back; a growing log is followed ----
head -n 12 "$S/tests/fixtures/run/log.csv" > "$TMP/grow.csv"
tui_start "$TMP/tiny.safetensors" --runs "$TMP/tiny-run1.csv" "$TMP/tiny-run2.csv" "$TMP/grow.csv"
wait_for "| train: settings, runs and loss"
wait_for " tiny-run1 "
screen | grep -q 'tiny-run2 *log *30 ' || fail "--runs: run 2's log does not read back 30 steps"
screen | grep -q 'grow *log *11 ' || fail "--runs: the growing log does not show its 11 steps"
sed -n '13,61p' "$S/tests/fixtures/run/log.csv" >> "$TMP/grow.csv"
i=0
until screen | grep -q 'grow *log *60 '; do
    i=$((i + 1)); [ $i -lt $((400 * TUI_SLOW)) ] || { fail "the appended rows do not show"; break; }; sleep 0.05
done
keys Q
wait_for "WSCOPE-EXIT=0"
# export-run's jobs each write log.csv: the runs go by their folders' names.
# An outside trainer's log with only step and loss: "-" for what it lacks.
mkdir -p "$TMP/exp/full-seed1" "$TMP/exp/frozen-seed1"
cp "$S/tests/fixtures/run/log.csv" "$TMP/exp/full-seed1/log.csv"
cp "$S/tests/fixtures/run/log.csv" "$TMP/exp/frozen-seed1/log.csv"
printf 'step,loss\n0,5.5\n1,5.25\n' > "$TMP/outside.csv"
tui_start "$TMP/tiny.safetensors" --runs "$TMP/exp/full-seed1/log.csv" "$TMP/exp/frozen-seed1/log.csv" \
    "$TMP/outside.csv"
wait_for " full-seed1 "
wait_for " frozen-seed1 "
keys Tab Down Down
wait_for "log       outside  step 2"
wait_for "lr -  |g| -  - tok/s"
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- the matrices beside their policies: PR, amplitude PR, their z ----
tui_start "$TMP/tiny.safetensors" --view train
wait_for "settings of the next run"
keys m
wait_for "matrices: 100.0 % trainable"
wait_for "ampPR      z"
i=0
until screen | grep -Eq 'blocks\.0\.mlp\.0\.weight +train +[0-9.]+ +[-+][0-9.]+ +[0-9.]+ +[-+][0-9.]+'; do
    i=$((i + 1)); [ $i -lt $((600 * TUI_SLOW)) ] || { fail "no PR and z numbers in the matrices pane"; break; }; sleep 0.05
done
keys q                                   # the model view shows them beside the policy too
wait_for "policy        PR      z"
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- a run that cannot start says why, whole, at 80 columns ----
TUI_COLS=80 TUI_ROWS=24
tui_start "$S/tests/fixtures/net/hf_erf" --view train   # no data yet: the form says so, whole
wait_for " data       (none: Enter)"
wait_for "first: t, p, P); Enter edits"
keys Q
wait_for "WSCOPE-EXIT=0"
# the compare view's heading and column notes whole too
tui_start "$S/tests/fixtures/net/hf_erf" --view train --data "$S/tests/fixtures/net/train.bin" --steps 2
wait_for "settings of the next run"
keys C
wait_for "train_end: mean loss of the last 10 % steps"
keys s
wait_for "final losses over the seeds; verdict: differs when Welch's p < 0.05 vs the first"
keys Q
wait_for "WSCOPE-EXIT=0"
# in the runs list the selected run's policies, settings and log, whole
cp -r "$S/tests/fixtures/net/hf_erf" "$TMP/hfe"
tui_start "$TMP/hfe" --view train --data "$S/tests/fixtures/net/train.bin" --steps 2
wait_for "settings of the next run"
keys s
wait_for "done      run 1"
keys Tab
i=0
until screen | tr -s ' \n' '  ' | grep -qF "data train.bin, from the model file | log $TMP/hfe-run1.csv"; do
    i=$((i + 1)); [ $i -lt 200 ] || { fail "the run's settings and log are cut at 80 columns"; break; }; sleep 0.05
done
keys Q
wait_for "quit? 1 run is not saved"
keys d
wait_for "WSCOPE-EXIT=0"
tui_start "$S/tests/fixtures/net/hf_erf" --view train --data "$TMP/corpus.txt"
wait_for "settings of the next run"
keys s
wait_for "text data needs a tokenizer, and"
wait_for "no step done: the reason is below"
i=0   # wrapped over the lines above the info line: joined, it is the engine's message
until screen | tr -s ' \n' '  ' | grep -qF "it): give --tokenizer FILE, or use nanoGPT .bin data"; do
    i=$((i + 1)); [ $i -lt $((200 * TUI_SLOW)) ] || { fail "the error is cut at 80 columns"; break; }; sleep 0.05
done
keys Q
wait_for "WSCOPE-EXIT=0"
TUI_COLS=110 TUI_ROWS=34

# ---- --view; a bad one is refused ----
tui_start "$TMP/tiny.safetensors" --view layers
wait_for "| layers"
keys Q
wait_for "WSCOPE-EXIT=0"
"$W" "$TMP/tiny.safetensors" --view bogus > /dev/null 2> "$TMP/err"
[ $? -eq 2 ] && grep -q '^wscope: --view: no view "bogus"' "$TMP/err" || fail "--view bogus: $(cat "$TMP/err")"
"$W" "$TMP/tiny.safetensors" --runs "$TMP/a.txt" > /dev/null 2> "$TMP/err"
[ $? -eq 2 ] && grep -q 'not a training log' "$TMP/err" || fail "--runs a.txt: $(cat "$TMP/err")"

# ---- q during a run asks, and the run goes on while it asks ----
tui_start "$TMP/tiny.safetensors" --view train --data "$TMP/corpus.txt" --steps 100000000
wait_for "settings of the next run"
keys s
wait_for "running   run 1  step"
keys q
wait_for "training: running, step"
tm resize-window -t w -x 80 -y 24            # the whole question at 80 columns
keys q
wait_for "quit? run 1 is going ("
wait_for "): s save, d discard, other keys stay"
s1=$(screen | sed -n 's/.*training: running, step \([0-9]*\).*/\1/p; s/.*going (\([0-9]*\)\/.*/\1/p' | head -n 1)
sleep 1
keys q                                      # any other key: stay
wait_for "training: running, step"
s2=$(screen | sed -n 's/.*training: running, step \([0-9]*\).*/\1/p')
[ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ] || fail "the run did not go on while asked: $s1 -> $s2"
absent "WSCOPE-EXIT"
tm resize-window -t w -x "$TUI_COLS" -y "$TUI_ROWS"

# ---- SIGTERM while it runs: a recovery checkpoint that loads ----
kill -TERM "$(cat "$TMP/pid")"
wait_for "WSCOPE-EXIT=143"
wait_for "saved run 1 (step "
rec=$(ls "$TMP"/tiny-run1*-recovery.safetensors 2>/dev/null | head -n 1)
[ -n "$rec" ] && [ -f "$rec" ] || fail "no recovery checkpoint"
screen | grep -q "saved run 1 (step [0-9]* of 100000000) to $rec" || fail "stderr does not say where"
"$W" info "$rec" --no-stats > /dev/null 2>&1 || fail "the recovery checkpoint does not load"
"$W" eval "$rec" --data "$TMP/corpus.txt" --seq 16 > "$TMP/eval" 2>&1 || fail "eval of the recovery checkpoint"
grep -q '^loss ' "$TMP/eval" || fail "eval of the recovery checkpoint: $(cat "$TMP/eval")"
grep -aq '"train.policy"' "$rec" || fail "the recovery checkpoint is not resumable (no training state)"
log=$(ls "$TMP"/tiny-run1-2.csv 2>/dev/null)
[ -n "$log" ] && [ "$(rows "$log")" -gt 2 ] || fail "the stopped run's log is missing or empty"

tui_finish tui_runs
