#!/bin/sh
# wscope export-run and compare --export, without Python: the files of a
# job (the script byte for byte, the plan, the starting weights equal to
# the model's, the token ids after the split, wscope's `random` draw), the
# compare jobs and their runner, and one-line errors with exit 2.
# Running the exported script against wscope is tests/torch_export.sh.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
F="$S/tests/fixtures/train"
M="$F/seq_model.safetensors"
plan() { "$J" "$@" < "$D/plan.json"; }

# 1. One run: every file, the plan's fields.
D="$T/run"
"$W" export-run "$M" --data "$F/seq.bin" --steps 8 --batch 4 --seq 16 --lr 1e-3 --warmup 2 \
    --val-frac 0.25 --sampling sequential --seed 7 --policy qkv@0=freeze \
    --policy attn_out@1=crystal:2 --policy mlp_up@0=grid:4 --policy mlp_down@1=random \
    -o "$D" > "$T/out"
ok test $? -eq 0
ok grep -q "python3 $D/train.py" "$T/out"
for f in train.py plan.json init.safetensors train.bin val.bin random.safetensors README.txt; do
  ok test -s "$D/$f"
done
ok grep -q "torchrun, torch 1.13 on Python 3.11, needs --redirects 1 --tee 1" "$D/README.txt"
ok cmp -s "$D/train.py" "$S/src/export/train.py"   # the script, as built in
ok test -x "$D/train.py"
ok plan format=wscope-run-plan version=1 model.weights=init.safetensors model.layout=ours \
    model.n_layer=2 model.n_head=4 model.n_embd=32 model.vocab_size=67 model.block_size=32 \
    model.tied=false model.bias=true model.gelu=exact steps=8 batch=4 seq=16 seed=7 \
    sampling=sequential optimizer.lr=0.0010000000474974513 optimizer.warmup=2 \
    optimizer.schedule=cosine optimizer.weight_decay=0.10000000149011612 data.train=train.bin \
    data.val=val.bin data.dtype=uint16 data.n_train=1500 data.n_val=500 \
    random_values=random.safetensors outputs.log=log.csv train_options.seq=16
# tensors in the network's order, each with its policy
ok plan tensors.0.name=tok_emb.weight tensors.0.role=embed tensors.0.ndim=2 tensors.0.rows=67 \
    tensors.4.name=blocks.0.attn.c_attn.weight tensors.4.policy=freeze \
    tensors.5.name=blocks.0.attn.c_attn.bias tensors.5.policy=freeze tensors.5.ndim=1 \
    tensors.8.policy=train tensors.10.name=blocks.0.mlp.0.weight tensors.10.policy=grid:4 \
    tensors.18.name=blocks.1.attn.c_proj.weight tensors.18.policy=crystal:2 \
    tensors.19.name=blocks.1.attn.c_proj.bias tensors.19.policy=freeze \
    tensors.24.name=blocks.1.mlp.2.weight tensors.24.policy=random \
    tensors.25.name=blocks.1.mlp.2.bias tensors.25.policy=freeze \
    tensors.28.name=head.weight
# the data: 2000 tokens split 1500 + 500, as uint16
ok test "$(wc -c < "$D/train.bin")" -eq 3000
ok test "$(wc -c < "$D/val.bin")" -eq 1000
ok sh -c "cat '$D/train.bin' '$D/val.bin' | cmp -s - '$F/seq.bin'"
# the starting weights are the model's (no drift), and wscope opens them
"$W" drift "$M" "$D/init.safetensors" > "$T/drift"
ok grep -q 'RMS 0, relative 0, cosine 1.000000' "$T/drift"
# random: the weight of mlp_down@1, N(0, sigma) from wscope's generator; its
# bias keeps its values and is frozen with it (the bias rule)
"$W" info "$D/random.safetensors" --no-stats > "$T/info"
ok grep -q " 1 tensors$" "$T/info"
ok grep -q '^blocks.1.mlp.2.weight .* 32x128 ' "$T/info"

# a vocabulary past 65536 ids: the token ids as uint32
"$W" init --layers 1 --d 8 --heads 2 --vocab 70000 --block 16 -o "$T/wide.safetensors" > /dev/null
"$W" export-run "$T/wide.safetensors" --data "$F/seq.bin" --seq 16 -o "$T/wide" > /dev/null
ok test "$(wc -c < "$T/wide/train.u32")" -eq 7200
ok test "$(wc -c < "$T/wide/val.u32")" -eq 800
ok "$J" data.dtype=uint32 data.train=train.u32 data.val=val.u32 model.vocab_size=70000 < "$T/wide/plan.json"
ok test ! -e "$T/wide/train.bin"

# 2. compare --export: one job per strategy x seed over shared weights and data.
C="$T/cmp"
"$W" compare "$M" --data "$F/seq.bin" --steps 5 --batch 4 --seq 16 --strategy full \
    --strategy 'mix:qkv@0,1=crystal:1,mlp_up=random' --strategy 'a b:*=freeze' --seeds 2 \
    --seed 3 --export "$C" > "$T/out"
ok test $? -eq 0
for j in full-seed3 full-seed4 mix-seed3 mix-seed4 a_b-seed3 a_b-seed4; do
  ok cmp -s "$C/$j/train.py" "$S/src/export/train.py"
  ok grep -q "\${RUN:-python3} $j/train.py" "$C/run_all.sh"
  ok grep -q "^  $j " "$C/README.txt"
done
ok test "$(ls "$C" | tr '\n' ' ')" = "README.txt a_b-seed3 a_b-seed4 full-seed3 full-seed4 init.safetensors mix-seed3 mix-seed4 run_all.sh train.bin val.bin "
ok test -x "$C/run_all.sh"
ok test ! -e "$C/full-seed3/random.safetensors"
ok test -s "$C/mix-seed4/random.safetensors"
D="$C/mix-seed4"
ok plan seed=4 eval_every=5 steps=5 model.weights=../init.safetensors data.train=../train.bin \
    data.val=../val.bin tensors.4.policy=crystal:1 tensors.10.policy=random
# the seed draws the random values: two seeds, two draws
ok sh -c "! cmp -s '$C/mix-seed3/random.safetensors' '$C/mix-seed4/random.safetensors'"

# 3. Bad input: one line, exit 2; nothing overwritten.
refuses "^wscope: $C: exists and is not empty" "$W" export-run "$M" --data "$F/seq.bin" -o "$C"
refuses "^wscope: export-run: no -o DIR" "$W" export-run "$M" --data "$F/seq.bin"
refuses "^wscope: export-run: no --data" "$W" export-run "$M" -o "$T/x"
refuses "selects no" "$W" export-run "$M" --data "$F/seq.bin" --policy zzz=freeze -o "$T/x"
refuses "crystal rank" "$W" export-run "$M" --data "$F/seq.bin" --policy qkv=crystal:99 -o "$T/x"
refuses "block size" "$W" export-run "$M" --data "$F/seq.bin" --seq 64 -o "$T/x"
refuses "^wscope: export-run: unknown (or ambiguous) option --log" "$W" export-run "$M" --data "$F/seq.bin" --log x.csv -o "$T/x"
ok test ! -e "$T/x/plan.json"
finish
