#!/bin/sh
# The exported PyTorch script against wscope (needs Debian's python3-torch
# and python3-numpy; SKIP without them, CI installs them): for each case,
# `wscope train` and `export-run` + `python3 DIR/train.py` with the same
# options give the same losses (1e-5 relative) and final weights (1e-4);
# every policy, both samplings, the layouts (ours, HF Conv1D with a tied
# head, nanoGPT without biases), tanh GELU, an HF config.json's LayerNorm
# epsilon, constant schedule, a vocabulary
# past 65536 (uint32 ids). `torchrun
# --nproc_per_node 2` (gloo on loopback) gives the losses of one process
# with the same global batch; ckpt.pt and wscope's .pt writer load with
# weights_only=True, bit for bit; the jobs of compare --export give
# compare's table.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import torch, numpy' 2> /dev/null; then
  echo "SKIP: $PY has no torch and numpy (Debian: python3-torch python3-numpy)"
  exit 77
fi
CHECK="$PY $S/tests/torch_check.py"
F="$S/tests/fixtures/train"
G="$S/tests/fixtures/gpt"
export OMP_NUM_THREADS=1   # two cores shared with other tests

# case NAME MODEL [options...]: wscope train, then the export run on CPU, then the checks.
case_() {
  name=$1 model=$2; shift 2
  set -- --data "${DATA:-$F/seq.bin}" --steps 8 --batch 4 --seq 16 "$@"
  "$W" train "$model" "$@" --log "$T/$name.csv" --out "$T/$name.safetensors" --weights-only \
      > /dev/null 2> "$T/$name.err"
  rc=$?
  ok test $rc -eq 0
  [ $rc -eq 0 ] || cat "$T/$name.err" >&2
  "$W" export-run "$model" "$@" -o "$T/$name" > /dev/null
  ok test $? -eq 0
  "$PY" "$T/$name/train.py" --device cpu --threads 1 > /dev/null
  ok test $? -eq 0
  ok $CHECK runs "$T/$name.csv" "$T/$name/log.csv" "$T/$name.safetensors" "$T/$name/final.safetensors"
}
case_ plain "$F/seq_model.safetensors" --lr 1e-3 --min-lr 1e-4 --warmup 2 --sampling sequential \
    --val-frac 0 --eval-every 0
case_ policies "$F/seq_model.safetensors" --lr 3e-3 --warmup 2 --seed 3 --eval-every 3 \
    --policy qkv@0=freeze --policy attn_out@1=crystal:2 --policy mlp_up@0=grid:4
case_ hf "$G/hf_tied.safetensors" --lr 3e-3 --seed 5 --eval-every 4 --policy mlp_down@1=random \
    --policy qkv@1=freeze@3 --policy mlp_up=freeze-pr:100 --pr-every 3
case_ tanh "$G/ours_tanh.safetensors" --lr 2e-3 --schedule constant --clip 0.5 --wd 0 --seed 2
# an HF folder whose config.json sets layer_norm_epsilon 1e-3 (and tanh GELU)
DATA="$S/tests/fixtures/net/train.bin"
case_ lneps "$S/tests/fixtures/net/hf_tanh" --lr 2e-3 --seed 7 --eval-every 4
DATA=
# ... and its ckpt.pt reads back in wscope as the same function
ok grep -q "gelu=tanh" "$("$W" info "$T/lneps/ckpt.pt" --no-stats > "$T/info"; echo "$T/info")"
ok grep -q "ln_eps=0.001 " "$T/info"
case_ nobias "$G/nanogpt_nobias.safetensors" --lr 2e-3 --beta2 0.99 --eps 1e-6 --seed 4 \
    --policy 'transformer.h.0.*=freeze' --policy embed=grid:3:linspace   # Paper 61's centres
"$W" init --layers 1 --d 16 --heads 2 --vocab 70000 --block 16 --tied -o "$T/wide_model.safetensors" > /dev/null
case_ wide "$T/wide_model.safetensors" --lr 1e-3 --seed 6 --eval-every 4   # uint32 token ids
# the policies froze what they say: n_frozen 2 (freeze@3 at step 3) and 2 more (freeze-pr at its check)
ok test "$(awk -F, 'NR > 1 { printf "%s ", $7 }' "$T/hf/log.csv")" = "2 2 4 6 6 6 6 6 6 "

# nanoGPT's checkpoint beside final.safetensors, the tied and untied head
ok $CHECK ckpt "$T/hf"
ok $CHECK ckpt "$T/policies"
ok $CHECK pt "$T/nobias/ckpt.pt" "$T/nobias/final.safetensors"
# wscope reads the script's log as a run, its curves beside wscope's own
"$W" plot --runs "$T/hf/log.csv" --runs "$T/hf.csv" --data "$T/curves.csv" -o "$T/curves.png"
ok test $? -eq 0
ok test "$(grep -c '^log.csv (EMA' "$T/curves.csv")" -eq 8
# wscope opens both: ckpt.pt under nanoGPT's names holds final.safetensors' weights
"$W" drift "$T/hf/final.safetensors" "$T/hf/ckpt.pt" > "$T/drift"
ok grep -q 'RMS 0, relative 0, cosine 1.000000' "$T/drift"

# wscope's .pt writer: torch reads it with weights_only=True, under nanoGPT's
# names, bit for bit: F32, F16 and BF16 tensors, Conv1D weights transposed,
# a tied head (tests/test_ptwrite writes the file and its source) ...
"$B/tests/test_ptwrite" "$T"
ok $CHECK pt "$T/hf.pt" "$T/hf.safetensors"
# ... and train --out FILE.pt, the weights of the same run as --out FILE.safetensors
set -- "$F/seq_model.safetensors" --data "$F/seq.bin" --steps 3 --batch 4 --seq 16 --threads 1
"$W" train "$@" --out "$T/run.pt" > /dev/null 2>&1
ok test $? -eq 0
"$W" train "$@" --out "$T/run.safetensors" --weights-only > /dev/null 2>&1
ok $CHECK pt "$T/run.pt" "$T/run.safetensors"

# torchrun: two processes of B/2 windows each give one process's losses.
# (--redirects 1 --tee 1: Debian's torchrun 1.13 under Python 3.11 fails on
# its default "0", which that Python's Flag enum no longer iterates.)
# A free port of its own: other test runs may be using torchrun's default.
cp "$T/policies/log.csv" "$T/one.csv"
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout -k 10 600 torchrun --master_addr 127.0.0.1 --master_port "$port" --redirects 1 --tee 1 \
    --log_dir "$T/torchrun" --nproc_per_node 2 \
    "$T/policies/train.py" --device cpu > "$T/ddp.out" 2>&1
rc=$?
ok test $rc -eq 0
[ $rc -eq 0 ] || tail -20 "$T/ddp.out" >&2
ok $CHECK logs "$T/one.csv" "$T/policies/log.csv"
ok $CHECK runs "$T/policies.csv" "$T/policies/log.csv" "$T/policies.safetensors" "$T/policies/final.safetensors"
# three processes do not divide B = 4: refused
WORLD_SIZE=3 RANK=0 "$PY" "$T/policies/train.py" --device cpu > /dev/null 2> "$T/err"
ok test $? -eq 2
ok grep -q 'do not divide the batch B = 4' "$T/err"

# compare --export: the jobs' logs give compare's table.
set -- "$F/seq_model.safetensors" --data "$F/seq.bin" --steps 6 --batch 4 --seq 16 --lr 3e-3 \
    --strategy full --strategy 'mix:qkv@0=crystal:1,mlp_up@1=random' --seeds 2
"$W" compare "$@" --csv > "$T/cmp.csv"
ok test $? -eq 0
"$W" compare "$@" --export "$T/cmp" > /dev/null
RUN="$PY" sh "$T/cmp/run_all.sh" --device cpu --threads 1 > /dev/null
ok test $? -eq 0
ok $CHECK compare "$T/cmp.csv" "$T/cmp"
finish
