#!/bin/sh
# Checkpoints as researchers have them, from the command line
# (tests/fixtures/net, written by tests/ref/checkpoints_ref.py; the numbers
# themselves are checked in tests/test_checkpoints.c): drift across formats,
# namings and training state; names typed with or without prefixes.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
N="$S/tests/fixtures/net"
CK="$N/nanogpt/ckpt.pt"

# ---- drift ----
# A fine-tune with training state: compared over the network, the state noted.
"$W" drift "$CK" "$N/tuned.safetensors" > "$T/out" 2> "$T/err"
ok test $? -eq 0
ok grep -q "mean cosine 0.89" "$T/out"
ok grep -q "^(model) .* model .* ok" "$T/out"
ok sh -c "! grep -q optim '$T/out'"
ok grep -q "training state left out (0 tensors in BASE, 53 in TUNED; --all-tensors" "$T/err"
"$W" drift "$CK" "$N/tuned.safetensors" --json > "$T/json" 2> /dev/null
ok "$J" model="$CK" -r tables.drift.rows 28.name=layer\ 0 30.name=\(model\) 30.mean_cos -r tables.unmatched \
   rows < "$T/json"
# A vector's shape is its length, as info gives it (not 1 x 16).
ok "$J" tables.drift.rows.2.name=_orig_mod.transformer.h.0.ln_1.weight tables.drift.rows.2.shape.0=16 \
   < "$T/json"
ok sh -c "! $J tables.drift.rows.2.shape.1 < '$T/json'"
ok grep -q "^_orig_mod.transformer.h.0.ln_1.weight  *ln1@0  *16  *tensor " "$T/out"
ok sh -c "! $J tables.unmatched.rows.0 < '$T/json'"   # none on one side only
"$W" drift "$CK" "$N/tuned.safetensors" --all-tensors --json > "$T/json" 2> "$T/err"
ok "$J" parameters.all_tensors=true -r tables.unmatched.rows 52.in=tuned "0.kind=training state" < "$T/json"
ok grep -q "53 tensors only in TUNED: grid.A._orig_mod.transformer.h.1.attn.c_proj.weight, " "$T/err"
# nanoGPT ckpt.pt against an HF folder of the same network: by role and layer,
# Conv1D transposed; the legacy masks are buffers, compared with --all-tensors.
"$W" drift "$CK" "$N/hf_erf" --csv > "$T/csv" 2> "$T/err"
ok test $? -eq 0
ok test ! -s "$T/err"
ok test "$(grep -c ',tensor,' "$T/csv")" -eq 28
"$W" drift "$CK" "$N/hf_tanh" --all-tensors > /dev/null 2> "$T/err"
ok grep -q "2 tensors only in TUNED: h.0.attn.masked_bias, h.1.attn.masked_bias" "$T/err"
# A different vocabulary and a head on one side only: notes, not a refusal.
"$W" init --layers 1 --d 8 --heads 2 --vocab 30 --block 8 -o "$T/a.safetensors"
"$W" init --layers 1 --d 8 --heads 2 --vocab 40 --block 8 --tied -o "$T/b.safetensors"
"$W" drift "$T/a.safetensors" "$T/b.safetensors" > "$T/out" 2> "$T/err"
ok test $? -eq 0
ok grep -q "^tok_emb.weight .* shape 30x8 vs 40x8" "$T/out"
ok grep -q "1 tensor only in BASE: head.weight" "$T/err"
ok grep -q "1 corresponding tensor differs in shape" "$T/err"
refuses "corresponds to one" "$W" drift "$T/a.safetensors" "$S/tests/fixtures/ref_numpy.safetensors"

# ---- names users type ----
# The stored name, without _orig_mod., without transformer., and ROLE@LAYER
# select the same tensor (fit keeps the name as stored in its table).
i=0
for n in _orig_mod.transformer.h.0.attn.c_attn.weight transformer.h.0.attn.c_attn.weight \
         h.0.attn.c_attn.weight qkv@0; do
  "$W" fit "$CK" --tensor "$n" --k 2 --rows 4 --mode grid --csv > "$T/fit$i.csv" 2> "$T/err"
  ok test $? -eq 0
  ok test "$(cut -d, -f1 "$T/fit$i.csv" | tail -n +2)" = "_orig_mod.transformer.h.0.attn.c_attn.weight"
  i=$((i + 1))
done
ok test "$(cut -d, -f1-13 "$T/fit0.csv")" = "$(cut -d, -f1-13 "$T/fit3.csv")"   # all but seconds
# Several patterns: commas (a layer list continues) and --tensor again.
"$W" fit "$CK" --tensor qkv@0,1,attn_out@1 --tensor mlp_up --k 2 --rows 4 --mode grid --csv > "$T/fit.csv"
ok test "$(tail -n +2 "$T/fit.csv" | cut -d, -f1 | tr '\n' ' ')" = \
  "_orig_mod.transformer.h.0.attn.c_attn.weight _orig_mod.transformer.h.0.mlp.c_fc.weight _orig_mod.transformer.h.1.attn.c_attn.weight _orig_mod.transformer.h.1.attn.c_proj.weight _orig_mod.transformer.h.1.mlp.c_fc.weight "
# The network only, unless asked; a pattern of training state says how.
ok test "$("$W" fit "$N/tuned.safetensors" --k 2 --rows 2 --mode grid --csv | wc -l)" -eq 11
ok test "$("$W" pr "$N/tuned.safetensors" --no-amp --csv | grep -c '^_orig_mod')" -eq 10
ok test "$("$W" spectrum "$N/tuned.safetensors" --energy --csv | grep -c '^_orig_mod')" -eq 10
refuses "only training state or buffers: add --all-tensors" \
  "$W" fit "$N/tuned.safetensors" --tensor 'optim.exp_avg.*' --k 2
"$W" fit "$N/tuned.safetensors" --tensor 'optim.exp_avg.*' --all-tensors --k 2 --rows 2 --mode grid \
  --csv > "$T/fit.csv"
ok test "$(grep -c '^optim.exp_avg\.' "$T/fit.csv")" -eq 25   # no moments for frozen and grid tensors
refuses '"qkv@x" selects\|ROLE@LAYERS' "$W" fit "$CK" --tensor 'qkv@x'
mkdir -p "$T/empty"
refuses "not a model folder: no model.safetensors or model.safetensors.index.json in it" "$W" info "$T/empty"
# plot: the tied lm_head is the embedding (a note says so); one tensor only.
"$W" plot "$CK" --tensor lm_head.weight --hist -o "$T/h.svg" 2> "$T/err"
ok test $? -eq 0
ok grep -q "lm_head.weight is tied to the token embedding: _orig_mod.transformer.wte.weight" "$T/err"
"$W" plot "$CK" --tensor attn_out@1 --row 0 -o "$T/r.svg"
ok test $? -eq 0
refuses '"h.0.\*" selects 13 tensors' "$W" plot "$CK" --tensor 'h.0.*' --row 0 -o "$T/r.svg"
# Policies take the same names: a prefix-free glob and *@0 freeze the same tensors.
for p in 'transformer.h.0.*' '*@0' 'h.0.ln_1.weight,h.0.ln_1.bias,h.0.attn.*,h.0.ln_2.*,h.0.mlp.*'; do
  "$W" train "$CK" --data "$N/train.bin" --steps 1 --batch 1 --seq 8 --policy "$p=freeze" \
    2>&1 >/dev/null | grep '^wscope: policies:' >> "$T/pol"
done
ok test "$(sort -u "$T/pol" | wc -l)" -eq 1
ok grep -q "_orig_mod.transformer.h.0.ln_2.bias=freeze and 4 more" "$T/pol"

# ---- HF folders: config.json, the title, shards ----
# n_head, the GELU form and LayerNorm's epsilon come from config.json: eval
# needs no --heads (the numbers are checked in tests/test_checkpoints.c).
for d in hf_erf hf_tanh hf_sharded; do
  "$W" eval "$N/$d" --data "$N/val.bin" --seq 16 --batch 4 > "$T/out" 2> "$T/err"
  ok test $? -eq 0
  ok grep -q '^loss 1.82' "$T/out"
done
"$W" info "$N/hf_tanh" --no-stats > "$T/info"
ok grep -q "^config: n_layer=2 n_head=2 n_embd=16 .* gelu=tanh" "$T/info"
ok grep -q "^        ln_eps=0.001 (LayerNorm)" "$T/info"
ok grep -q "^  activation_function  gelu_new  (config.json)" "$T/info"
ok grep -q "^config.json: $N/hf_tanh/config.json (gave n_head " "$T/info"
ok grep -q "^h.0.attn.masked_bias .* buffer " "$T/info"
"$W" info "$N/hf_erf" --json --no-stats | "$J" config.gelu=exact config.n_head=2 config.layer_norm_epsilon=1e-5 \
   metadata.activation_function=gelu metadata.n_head=2 config_json_keys.0=n_head
ok test $? -eq 0
# One shard opened alone says so (stderr, info, JSON).
"$W" info "$N/hf_sharded/model-00001-of-00002.safetensors" --no-stats > "$T/info" 2> "$T/err"
ok grep -q "note: .*model-00001-of-00002.safetensors: one shard (1 of 2) of a sharded model" "$T/err"
ok grep -q "^note:   one shard (1 of 2) of a sharded model: open the folder for all of it" "$T/info"
# A config.json of another model, or not JSON: not used, and said so.
mkdir -p "$T/other" "$T/bad"
cp "$N/hf_erf/model.safetensors" "$T/other/" && cp "$N/hf_erf/model.safetensors" "$T/bad/"
sed 's/"n_embd": 16/"n_embd": 32/' "$N/hf_erf/config.json" > "$T/other/config.json"
printf '{"n_head": 2,' > "$T/bad/config.json"
"$W" info "$T/other" --json --no-stats 2> "$T/err" | "$J" config.n_head=null config_json=null
ok test $? -eq 0
ok grep -q "config.json beside the model: its n_embd 32 is not the embedding's width 16 (not used)" "$T/err"
"$W" info "$T/bad" --no-stats > /dev/null 2> "$T/err"
ok test $? -eq 0
ok grep -q "config.json beside the model: .* (not used)" "$T/err"
ok test "$(wc -l < "$T/err")" -eq 1

# ---- saves: weights only, in the input's dtype ----
# The F16 export fine-tuned: weights-only keeps F16 (and no state), --dtype
# asks for another; a checkpoint keeps float32 and the state for --resume.
E="$N/nanogpt/ckpt.safetensors"
tr() { "$W" train "$E" --heads 2 --data "$N/train.bin" --steps 2 --batch 2 --seq 8 --eval-every 0 "$@" \
       > /dev/null 2> "$T/err"; }
tr --weights-only --out "$T/w16.safetensors"
ok test $? -eq 0
"$W" info "$T/w16.safetensors" --no-stats > "$T/info"
ok grep -q "^transformer.h.0.attn.c_attn.weight .* F16 " "$T/info"
ok sh -c "! grep -q 'training state' '$T/info'"
ok sh -c "! grep -aq -e optim.exp_avg -e train.options '$T/w16.safetensors'"
ok test "$(stat -c %s "$T/w16.safetensors")" -lt 20000   # 2 bytes a weight
tr --weights-only --dtype bf16 --out "$T/wbf.safetensors"
ok grep -q "^transformer.h.0.attn.c_attn.weight .* BF16 " "$("$W" info "$T/wbf.safetensors" --no-stats > "$T/info"; echo "$T/info")"
tr --out "$T/ck.safetensors"
"$W" info "$T/ck.safetensors" --no-stats > "$T/info"
ok grep -q "^transformer.h.0.attn.c_attn.weight .* F32 " "$T/info"
ok grep -q "^training state: " "$T/info"
refuses "--dtype applies to --weights-only saves" tr --dtype f16 --out "$T/x.safetensors"
# A .pt holds no state: a weights-only save by nature, in the input's dtype.
tr --out "$T/w16.pt"
ok test $? -eq 0
ok grep -q "^transformer.h.0.attn.c_attn.weight .* F16 " "$("$W" info "$T/w16.pt" --no-stats > "$T/info"; echo "$T/info")"
tr --dtype bf16 --out "$T/wbf.pt"
ok test $? -eq 0
ok grep -q "^transformer.h.0.attn.c_attn.weight .* BF16 " "$("$W" info "$T/wbf.pt" --no-stats > "$T/info"; echo "$T/info")"
refuses "--dtype: expected f32, f16 or bf16" tr --weights-only --dtype f8 --out "$T/x.safetensors"
# A .pt carries the run's settings in nanoGPT's config, and the model's
# GELU and LayerNorm eps, so it reads back as the same function (an HF
# folder with tanh GELU and eps 1e-3 gives the loss of its safetensors).
ft() { "$W" train "$N/hf_tanh" --data "$N/train.bin" --steps 2 --batch 2 --seq 8 --lr 2e-3 "$@" > /dev/null 2>&1; }
ft --out "$T/tanh.pt"
ok test $? -eq 0
ft --weights-only --out "$T/tanh.safetensors"
"$W" info "$T/tanh.pt" --json --no-stats > "$T/json"
ok "$J" metadata.config.learning_rate=0.00200000009 metadata.config.max_iters=2 \
    metadata.config.gelu=tanh metadata.config.layer_norm_epsilon=0.00100000005 < "$T/json"
ok grep -q "gelu=tanh" "$("$W" info "$T/tanh.pt" --no-stats > "$T/info"; echo "$T/info")"
ok grep -q "ln_eps=0.001 " "$T/info"
ok test "$("$W" eval "$T/tanh.pt" --data "$N/val.bin" --seq 8)" = \
    "$("$W" eval "$T/tanh.safetensors" --data "$N/val.bin" --seq 8)"

# ---- info: the metadata a checkpoint keeps ----
"$W" info "$CK" --no-stats > "$T/info"
ok grep -q "^  iter_num  *8$" "$T/info"
ok grep -q "^  best_val_loss  *4.02380" "$T/info"      # nanoGPT's 0-d tensor, decoded
ok grep -q "^  config  *out_dir=out-tiny eval_interval=8" "$T/info"
ok grep -q "^  n_head  *2$" "$T/info"                  # from model_args
"$W" info "$N/tuned.safetensors" --no-stats > "$T/info"
ok grep -q "^  train.policy  *28 tensors: 2 freeze, 25 train, 1 grid:4 (2 frozen)" "$T/info"
ok grep -q "^  train.step  *4$" "$T/info"
"$W" info "$N/tuned.safetensors" --json --no-stats > "$T/json"
ok "$J" metadata.iter_num=8 metadata.config.batch_size=4 < "$T/json"
# A fine-tune's best_val_loss is the lowest validation loss of its own run
# (the base's, 4.0238, says nothing about the new weights), in the
# safetensors and in the .pt a nanoGPT user resumes from.
"$W" train "$CK" --data "$N/train.bin" --val-data "$N/val.bin" --steps 6 --batch 2 --seq 8 --lr 3e-3 \
    --eval-every 2 --eval-batches 4 --weights-only --out "$T/ft.safetensors" --log "$T/ft.csv" > /dev/null 2>&1
ok test $? -eq 0
best=$(awk -F, 'NR > 1 && $3 != "" { print $3 }' "$T/ft.csv" | sort -g | head -n 1)
ok test -n "$best"
ok test "$("$W" info "$T/ft.safetensors" --no-stats | awk '$1 == "best_val_loss" { print $2 }')" = "$best"
"$W" train "$CK" --data "$N/train.bin" --val-data "$N/val.bin" --steps 6 --batch 2 --seq 8 --lr 3e-3 \
    --eval-every 2 --eval-batches 4 --out "$T/ft.pt" > /dev/null 2>&1
ok awk -v a="$("$W" info "$T/ft.pt" --no-stats | awk '$1 == "best_val_loss" { print $2 }')" -v b="$best" \
    'BEGIN { exit !(a != "" && (a - b) ^ 2 <= (1e-6 * b) ^ 2 && b != 4.02380848) }'
ok grep -Eq '"train.step": ?4,' "$T/json"                  # JSON values embedded as JSON
ok grep -Eq '"_orig_mod.transformer.h.0.attn.c_attn.weight": ?\{"frozen' "$T/json"

finish
