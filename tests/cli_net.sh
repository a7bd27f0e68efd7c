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

finish
