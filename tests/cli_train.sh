#!/bin/sh
# wscope train / eval end to end: losses against the PyTorch replay
# (tests/ref/train_seq_ref.py), the CSV log, --init with a tokenizer,
# resume = uninterrupted (byte for byte), Ctrl-C, SIGTERM and SIGHUP save and
# keep the log whole (kill -9 too), and every bad input
# gets one line "wscope: ...: reason" with exit 2.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
F="$S/tests/fixtures/train"
# close A B RTOL: |A - B| <= RTOL * |B|
close() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= r * m) }'; }

# 1. Sequential sampling replays PyTorch's run step for step.
# replay LOG FIXTURE [POLICY...]: the run of tests/ref/train_seq_ref.py; each
# step's loss in the CSV log against the fixture's.
replay() {
  log=$1 want=$2; shift 2
  "$W" train "$F/seq_model.safetensors" --data "$F/seq.bin" --steps 8 --batch 4 --seq 16 \
      --lr 1e-3 --min-lr 1e-4 --warmup 2 --sampling sequential --val-frac 0 --eval-every 0 \
      "$@" --log "$log" > /dev/null 2>&1
  ok test $? -eq 0
  i=0
  while read -r loss; do
    ok close "$(awk -F, -v s=$i '$1 == s && NR > 1 { print $2 }' "$log")" "$loss" 1e-5
    i=$((i + 1))
  done < "$want"
  ok test $i -eq 8
}
replay "$T/seq.csv" "$F/seq_losses.txt"
ok test "$(head -n 1 "$T/seq.csv" | cut -d, -f1-9)" = "step,loss,val_loss,lr,grad_norm,tokens_per_s,n_frozen,update:tok_emb.weight,update:pos_emb.weight"
# Freeze events print as they happen (when and why), between the evaluations.
"$W" train "$F/seq_model.safetensors" --data "$F/seq.bin" --steps 6 --batch 2 --seq 16 \
    --eval-every 3 --policy 'qkv@0=freeze@2' > "$T/out" 2> /dev/null
ok test $? -eq 0
ok test "$(sed -n 2p "$T/out")" = "step 2  froze blocks.0.attn.c_attn.weight  freeze@2"
ok grep -q "^step 3/6 " "$T/out"
ok test "$(head -n 1 "$T/seq.csv" | tr , '\n' | grep -c '^update:')" -eq 11   # 2 embeddings, 4 per layer, head
ok test "$(wc -l < "$T/seq.csv")" -eq 10          # header, 8 steps, final evaluation
# the same with policies: freeze, crystal (SVD in numpy), grid (W = A G, only A trains)
replay "$T/pol.csv" "$F/seq_policy_losses.txt" \
    --policy qkv@0=freeze --policy attn_out@1=crystal:2 --policy mlp_up@0=grid:4
# eval: the mean loss over the windows k*T, as PyTorch computes it.
got=$("$W" eval "$F/seq_model.safetensors" --data "$F/seq.bin" --seq 16 --batch 5 | awk '{ print $2 }')
ok close "$got" "$(cat "$F/seq_eval.txt")" 1e-5
# The same as a document (wscope(1), OUTPUT FORMATS) and as CSV.
"$W" eval "$F/seq_model.safetensors" --data "$F/seq.bin" --seq 16 --batch 5 --json > "$T/eval.json"
ok "$B/tests/json_check" command=eval model="$F/seq_model.safetensors" parameters.data.0="$F/seq.bin" \
   parameters.seq=16 parameters.batch=5 -k eval -r tables.eval.rows 0.loss 0.perplexity 0.windows 0.tokens \
   < "$T/eval.json"
jl=$(sed -n 's/.*"loss": \([0-9.e+-]*\).*/\1/p' "$T/eval.json")
ok close "$jl" "$(cat "$F/seq_eval.txt")" 1e-5
"$W" eval "$F/seq_model.safetensors" --data "$F/seq.bin" --seq 16 --batch 5 --csv > "$T/eval.csv"
ok test "$(head -1 "$T/eval.csv")" = "loss,perplexity,windows,tokens"

# 2. --init builds a tokenizer from text, trains, saves; eval reads it back.
cat > "$T/a.txt" <<'TXT'
The whale swam. The ship sailed, and the sea was calm; the whale dived.
Call me Ishmael. The sea, the ship, the whale: all of them were grey.
TXT
i=0; while [ $i -lt 30 ]; do cat "$T/a.txt"; i=$((i + 1)); done > "$T/corpus.txt"
gzip -c "$T/corpus.txt" > "$T/corpus.txt.gz"
"$W" train --init --layers 1 --d 16 --heads 2 --block 16 --lowercase --data "$T/corpus.txt.gz" \
    --steps 30 --batch 4 --seq 16 --lr 1e-2 --eval-every 10 --out "$T/init.safetensors" > "$T/out" 2> "$T/err"
ok test $? -eq 0
ok test "$(grep -c '^step .*val_loss' "$T/out")" -eq 4   # steps 0, 10, 20 and the end (piped: one line per eval)
ok grep -q '^done: 30 steps, saved ' "$T/out"
ok grep -q '^step 30/30  val_loss [0-9.]*  final  (last loss [0-9.]*)$' "$T/out"
ok sh -c "! grep -q 'loss -' '$T/out'"
ok awk 'length($0) > 79 { exit 1 }' "$T/out"   # result lines fit 80 columns
ok grep -aq '"optim.exp_avg.tok_emb.weight"' "$T/init.safetensors"
# info tells the network's parameters from the checkpoint's AdamW moments (two per parameter).
"$W" info "$T/init.safetensors" --no-stats > "$T/info"
ok grep -Eq '^params: [0-9]+ in the network \(' "$T/info"
ok grep -Eq '^training state: [0-9]+ values in [0-9]+ tensors \(listed with --all-tensors\)' "$T/info"
net=$(sed -n 's/^params: \([0-9]*\) in the network.*/\1/p' "$T/info")
state=$(sed -n 's/^training state: \([0-9]*\) values.*/\1/p' "$T/info")
ok test "${state:-0}" -eq $((2 * ${net:-1}))    # m and v of every parameter (none frozen)
ok sh -c "! grep -q 'optim.exp_avg' '$T/info'"  # not listed by default
"$W" info "$T/init.safetensors" --no-stats --all-tensors > "$T/info-all"
ok grep -q 'optim.exp_avg_sq.tok_emb.weight *exp_avg_sq ' "$T/info-all"
"$W" train "$T/init.safetensors" --data "$T/corpus.txt" --steps 2 --seq 8 --weights-only \
    --out "$T/plain.safetensors" > /dev/null 2>&1
ok test $? -eq 0
ok sh -c "! grep -aq -e optim.exp_avg -e train.policy '$T/plain.safetensors'"
ok grep -aq '"tokenizer"' "$T/plain.safetensors"
"$W" info "$T/init.safetensors" > "$T/info"
ok grep -q "n_layer=1 n_head=2 n_embd=16" "$T/info"
"$W" eval "$T/init.safetensors" --data "$T/corpus.txt" --seq 16 > "$T/eval"
ok grep -q '^loss ' "$T/eval"
first=$(awk '/^step 0\// { print $4 }' "$T/out")
ok close "$(awk '{ print $2 }' "$T/eval")" 1 10   # sanity: a number
ok awk -v f="$first" '{ exit !($2 < f) }' "$T/eval"   # trained below the first loss

# --val-data: validation from its own file; the evaluation is that file's eval.
head -c 1000 "$F/seq.bin" > "$T/val.bin"
"$W" train "$F/seq_model.safetensors" --data "$F/seq.bin" --val-data "$T/val.bin" --steps 1 --seq 16 \
    --batch 4 --eval-every 1 --eval-batches 0 --lr 0 --wd 0 > "$T/out" 2> /dev/null
ok test $? -eq 0
got=$(awk '/^step 0\// { print $6 }' "$T/out")
want=$("$W" eval "$F/seq_model.safetensors" --data "$T/val.bin" --seq 16 --batch 4 | awk '{ print $2 }')
ok close "$got" "$want" 1e-4

# 3. Resume: 6 steps in one run = 3 steps, stop, resume; byte for byte.
common="--data $F/seq.bin --steps 6 --batch 2 --seq 8 --eval-every 2 --seed 3 --policy attn_out@1=crystal:1 --policy mlp_up@0=grid:3"
"$W" train "$F/seq_model.safetensors" $common --out "$T/full.safetensors" > /dev/null 2> "$T/err"
ok test $? -eq 0
# the bias rule: the bias of the crystal matrix is frozen with it (the grid one trains)
ok grep -q "^wscope: policies: blocks.0.mlp.0.weight=grid:3, blocks.1.attn.c_proj.weight=crystal:1, blocks.1.attn.c_proj.bias=freeze$" "$T/err"
"$W" train "$F/seq_model.safetensors" $common --stop-at 3 --out "$T/half.safetensors" > /dev/null 2>&1
"$W" train --resume "$T/half.safetensors" --data "$F/seq.bin" --out "$T/resumed.safetensors" > /dev/null 2>&1
ok test $? -eq 0
ok cmp -s "$T/full.safetensors" "$T/resumed.safetensors"
# the same, continuing in place: the input is replaced only with --overwrite
"$W" train --resume "$T/half.safetensors" --data "$F/seq.bin" --out "$T/half.safetensors" --overwrite > /dev/null 2>&1
ok test $? -eq 0
ok cmp -s "$T/full.safetensors" "$T/half.safetensors"
ok test -z "$(ls "$T" | grep -e '-new' -e '\.tmp\.')"

# 4. Ctrl-C stops cleanly and saves a resumable checkpoint.
"$W" train "$F/seq_model.safetensors" --data "$F/seq.bin" --steps 100000000 --batch 2 --seq 8 \
    --eval-every 0 --out "$T/int.safetensors" > "$T/out" 2> "$T/err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
ok test $? -eq 130
ok grep -q "interrupted: stopped at step" "$T/err"
ok "$W" info "$T/int.safetensors" --no-stats > /dev/null
ok grep -aq '"train.step"' "$T/int.safetensors"       # in the safetensors header
ok grep -aq '"optim.exp_avg.tok_emb.weight"' "$T/int.safetensors"
# SIGTERM and SIGHUP do the same (exit 128 + signal); the log written so far
# is whole: a header and complete rows of as many cells (written per step).
for sig_num in TERM:15 HUP:1; do
  sig=${sig_num%:*} num=${sig_num#*:}
  "$W" train "$F/seq_model.safetensors" --data "$F/seq.bin" --steps 100000000 --batch 2 --seq 8 \
      --eval-every 0 --out "$T/$sig.safetensors" --log "$T/$sig.csv" > "$T/out" 2> "$T/err" &
  pid=$!
  sleep 1
  kill -$sig $pid
  wait $pid
  rc=$?
  ok test $rc -eq $((128 + num))
  ok grep -q ": stopped at step" "$T/err"
  ok "$W" info "$T/$sig.safetensors" --no-stats > /dev/null
  ok test "$(wc -l < "$T/$sig.csv")" -gt 2
  ok awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$T/$sig.csv"
done
# kill -9: nothing is saved, but every row written before stays.
"$W" train "$F/seq_model.safetensors" --data "$F/seq.bin" --steps 100000000 --batch 2 --seq 8 \
    --eval-every 0 --log "$T/kill.csv" > /dev/null 2>&1 &
pid=$!
sleep 1
kill -KILL $pid
wait $pid
ok test "$(wc -l < "$T/kill.csv")" -gt 2
ok awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$T/kill.csv"

# 5. Bad input: one line, exit 2.
bad() { want=$1; shift; refuses "^wscope: .*$want" "$W" "$@"; }   # bad EXPECTED-TEXT ARGS...
: > "$T/empty.txt"
: > "$T/empty.bin"
printf '\001\000\377\377' > "$T/oov.bin"
M="$F/seq_model.safetensors"
bad "empty.txt: empty file" train --init --data "$T/empty.txt"
bad "empty.bin: empty file" train "$M" --data "$T/empty.bin"
bad "oov.bin: token 65535 at position 1 is outside the vocabulary (67)" train "$M" --data "$T/oov.bin"
bad "sequence length 64 is larger than the model's block size 32" train "$M" --data "$F/seq.bin" --seq 64
bad "tokens is more than the" train "$M" --data "$F/seq.bin" --batch 200 --seq 32
bad "needs a tokenizer" train "$M" --data "$T/corpus.txt"
bad "unknown policy" train "$M" --data "$F/seq.bin" --policy "qkv=melt"
bad "selects no tensor" train "$M" --data "$F/seq.bin" --policy "qkv@9=freeze"
bad "refusing to overwrite the input model" train "$M" --data "$F/seq.bin" --out "$M"
bad "expected constant or cosine" train "$M" --data "$F/seq.bin" --schedule linear
bad "no --data" train "$M"
bad "not a wscope training checkpoint" train --resume "$M" --data "$F/seq.bin"
bad "cannot change on resume" train --resume "$T/half.safetensors" --data "$F/seq.bin" --policy qkv=freeze
bad "larger than the model's block size 32" eval "$M" --data "$F/seq.bin" --seq 33
bad "empty.bin: empty file" eval "$M" --data "$T/empty.bin"

finish
