#!/bin/sh
# wscope info and init end to end: JSON validity and fields, bad files
# (one line, exit 2, nothing on stdout), no overwrite of inputs.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

"$W" init --layers 2 --d 16 --heads 4 --vocab 30 --block 8 --tied -o "$T/m.safetensors"
ok test -s "$T/m.safetensors"
"$W" info "$T/m.safetensors" --json > "$T/info.json"
ok "$B/tests/json_check" config.n_layer=2 config.n_head=4 config.n_embd=16 config.vocab_size=30 \
   config.block_size=8 config.tied=true tensors.0.name=tok_emb.weight tensors.0.fro_norm \
   tensors.0.std tensors.0.mean tensors.0.kind=network n_params=7200 n_tensors=28 n_params_state=0 \
   n_tensors_buffers=0 < "$T/info.json"
"$W" info "$T/m.safetensors" --json --no-stats > "$T/nostats.json"
ok "$B/tests/json_check" tensors.0.name=tok_emb.weight < "$T/nostats.json"
ok sh -c "! grep -q fro_norm '$T/nostats.json'"
"$W" info "$T/m.safetensors" > "$T/info.txt"
ok grep -q "n_layer=2 n_head=4 n_embd=16 vocab_size=30 block_size=8 tied=yes" "$T/info.txt"
ok grep -q "blocks.1.mlp.2.weight" "$T/info.txt"

# Bad files: one line on stderr, exit 2, nothing on stdout.
head -c 100 "$T/m.safetensors" > "$T/trunc.safetensors"
printf 'hello' > "$T/tiny.safetensors"
: > "$T/empty.safetensors"
for f in trunc tiny empty missing; do
  refuses "^wscope: $T/$f.safetensors: " "$W" info "$T/$f.safetensors"
done

# init never replaces an input... it is not one here, but a fresh write is atomic:
# no temp files left behind.
ok test -z "$(ls "$T" | grep '\.tmp\.')"
# Bad arguments.
"$W" init --layers 0 -o "$T/x.safetensors" 2> "$T/err"
ok test $? -eq 2
ok test ! -e "$T/x.safetensors"
"$W" init --layers 2 --d 10 --heads 3 -o "$T/x.safetensors" 2> "$T/err"
ok test $? -eq 2
ok grep -q "multiple of heads" "$T/err"
"$W" --version > "$T/v"
ok grep -q "^wscope " "$T/v"
ok grep -q "blas_threads=" "$T/v"
# The reference fixture (written by numpy) lists through the CLI too.
"$W" info "$S/tests/fixtures/ref_numpy.safetensors" --json | "$B/tests/json_check" tensors.0.name n_params=32
ok test $? -eq 0

# An HF GPT-2 file says nothing about n_head: training and eval say so, and
# --heads supplies it (a wrong one is refused); GELU defaults to GPT-2's tanh.
H="$S/tests/fixtures/hf_no_n_head.safetensors"
"$W" info "$H" --json --no-stats | "$B/tests/json_check" layout="HF GPT-2" config.n_head=null config.gelu=tanh
ok test $? -eq 0
head -c 400 /dev/zero > "$T/zeros.bin"    # 200 uint16 tokens, all id 0
"$W" eval "$H" --data "$T/zeros.bin" --seq 8 > "$T/out" 2> "$T/err"
ok test $? -ne 0
ok grep -q "n_head is not known" "$T/err"
"$W" eval "$H" --data "$T/zeros.bin" --seq 8 --heads 2 > "$T/out" 2> "$T/err"
ok test $? -eq 0
ok grep -q "^loss " "$T/out"
"$W" eval "$H" --data "$T/zeros.bin" --seq 8 --heads 3 > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "does not divide" "$T/err"

finish
