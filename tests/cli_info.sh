#!/bin/sh
# wscope info and init end to end: JSON validity and fields, bad files
# (one line, exit 2, nothing on stdout), no overwrite of inputs.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

"$W" init --layers 2 --d 16 --heads 4 --vocab 30 --block 8 --tied -o "$T/m.safetensors"
ok test -s "$T/m.safetensors"
"$W" info "$T/m.safetensors" --json > "$T/info.json"
ok "$B/tests/json_check" command=info model="$T/m.safetensors" parameters.stats=true config.n_layer=2 \
   config.n_head=4 config.n_embd=16 config.vocab_size=30 config.block_size=8 config.tied=true \
   n_params=7200 n_tensors=28 n_params_state=0 n_tensors_buffers=0 -k tensors -r tables.tensors.rows \
   0.name=tok_emb.weight 0.fro_norm 0.std 0.mean 0.kind=network 0.shape.0=30 0.shape.1=16 0.role=embed \
   0.layer=null 2.role=ln1@0 3.role=ln1.b@0 3.bias=true 3.layer=0 < "$T/info.json"
"$W" info "$T/m.safetensors" --json --no-stats > "$T/nostats.json"
ok "$B/tests/json_check" parameters.stats=false tables.tensors.rows.0.name=tok_emb.weight < "$T/nostats.json"
ok sh -c "! grep -q fro_norm '$T/nostats.json'"
# CSV: the same table, floats in their shortest form (no 17-digit noise).
"$W" info "$T/m.safetensors" --csv > "$T/info.csv"
ok test "$(head -1 "$T/info.csv")" = "name,role,kind,layer,bias,shape,transposed,dtype,params,mean,std,min,max,fro_norm,zero_frac,nan,inf"
ok grep -q "^tok_emb.weight,embed,network,,false,30x16,false,F32,480,-\?[0-9.e-]*," "$T/info.csv"
ok sh -c "! tr -d . < '$T/info.csv' | grep -Eq '[1-9][0-9]{9}'"   # at most 9 significant digits
n=$(sed -n 's/.*"n_tensors": \([0-9]*\).*/\1/p' "$T/info.json")
ok test "$(wc -l < "$T/info.csv")" -eq $((n + 1))
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
# Its name in ps, top and htop is its own, also when it restarted itself
# for better BLAS kernels (the kernel would name it "exe" after the link).
if [ -r /proc/self/comm ]; then
    "$W" train --init --layers 1 --d 16 --heads 2 --vocab 64 --block 8 --steps 100000000 \
        --data "$S/sample-models/moby-dick.txt.gz" --out "$T/name.safetensors" > /dev/null 2>&1 &
    pid=$!
    name=
    n=0
    while [ $n -lt 100 ] && [ "$name" != wscope ]; do
        sleep 0.05; n=$((n + 1)); name=$(cat /proc/$pid/comm 2>/dev/null)
    done
    kill -9 $pid; wait $pid 2> /dev/null
    ok test "$name" = wscope
fi
# The reference fixture (written by numpy) lists through the CLI too.
"$W" info "$S/tests/fixtures/ref_numpy.safetensors" --json | "$B/tests/json_check" tables.tensors.rows.0.name \
    n_params=32
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
