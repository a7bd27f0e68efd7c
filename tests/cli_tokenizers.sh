#!/bin/sh
# Tokenizers users have, end to end: a GPT-2 BPE beside a model (HF
# tokenizer.json, vocab.json + merges.txt) or given with --tokenizer encodes
# text for eval, train and basis --corpus exactly as the reference ids do
# (eval of the text = eval of its ids as nanoGPT .bin); nanoGPT's meta.pkl
# beside the checkpoint or in data/DATASET/; the word tokenizer in a model
# wins over files beside it; plot --row titles an embedding row with its
# token; and every bad tokenizer is one line, exit 2.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
G="$S/tests/fixtures/tok/gpt2"
C="$S/tests/fixtures/tok/char"
zcat "$S/sample-models/moby-dick.txt.gz" | head -c 20000 > "$T/moby.txt"
# ids (one per line) as nanoGPT .bin: little-endian uint16
to_bin() { perl -ne 'print pack("v", $_)' "$1" > "$2"; }

# 1. GPT-2 BPE: an HF folder with tokenizer.json, a tiny model of 50257 rows.
mkdir -p "$T/hf"
"$W" init --layers 1 --d 8 --heads 2 --vocab 50257 --block 32 --tied --seed 3 \
    -o "$T/hf/model.safetensors" > /dev/null
ok test $? -eq 0
zcat "$G/tokenizer.json.gz" > "$T/hf/tokenizer.json"
"$B/bench/tok_bench" "$T/hf/tokenizer.json" "$T/moby.txt" 1 "$T/ids.txt" > /dev/null
ok test $? -eq 0
to_bin "$T/ids.txt" "$T/moby.bin"
ok test "$(wc -l < "$T/ids.txt")" -gt 4000
text=$("$W" eval "$T/hf/model.safetensors" --data "$T/moby.txt" --seq 32 2> "$T/err")
ok test $? -eq 0
bin=$("$W" eval "$T/hf/model.safetensors" --data "$T/moby.bin" --seq 32)
ok test -n "$text"
ok test "$text" = "$bin"
ok test ! -s "$T/err"   # no unknown pieces: every byte has a token
# the HF folder itself as MODEL; vocab.json + merges.txt; --tokenizer elsewhere
ok test "$("$W" eval "$T/hf" --data "$T/moby.txt" --seq 32)" = "$bin"
mkdir -p "$T/hf2" "$T/tok"
cp "$T/hf/model.safetensors" "$T/hf2/"
zcat "$G/encoder.json.gz" > "$T/hf2/vocab.json"
zcat "$G/vocab.bpe.gz" > "$T/hf2/merges.txt"
ok test "$("$W" eval "$T/hf2/model.safetensors" --data "$T/moby.txt" --seq 32)" = "$bin"
cp "$G/encoder.json.gz" "$G/vocab.bpe.gz" "$T/tok/"
mkdir -p "$T/bare" && cp "$T/hf/model.safetensors" "$T/bare/"
ok test "$("$W" eval "$T/bare/model.safetensors" --tokenizer "$T/tok/vocab.bpe.gz" \
           --data "$T/moby.txt" --seq 32)" = "$bin"
refuses "text data needs a tokenizer" "$W" eval "$T/bare/model.safetensors" --data "$T/moby.txt"
# train on text through the BPE; basis --corpus reads text
"$W" train "$T/hf/model.safetensors" --data "$T/moby.txt" --steps 2 --batch 2 --seq 16 \
    --eval-every 0 --out "$T/tuned.safetensors" > /dev/null 2>&1
ok test $? -eq 0
ok test -s "$T/tuned.safetensors"
"$W" basis "$T/hf/model.safetensors" --k 4 --corpus "$T/moby.txt" --csv > "$T/basis_text.csv"
ok test $? -eq 0
"$W" basis "$T/hf/model.safetensors" --k 4 --corpus "$T/moby.bin" --csv > "$T/basis_bin.csv"
ok cmp -s "$T/basis_text.csv" "$T/basis_bin.csv"
ok grep -q qk_ete_cos "$T/basis_text.csv"
# a vocabulary that does not fit the embedding: one line naming the tokenizer
mkdir -p "$T/small"
"$W" init --layers 1 --d 8 --heads 2 --vocab 512 --block 16 -o "$T/small/model.safetensors" > /dev/null
cp "$T/hf/tokenizer.json" "$T/small/"
refuses "tokenizer.json: 50257 tokens, but the model's embedding has 512 rows" \
    "$W" eval "$T/small/model.safetensors" --data "$T/moby.txt"
# ... but .bin data needs no tokenizer, so none is read
printf '\001\000\002\000\003\000\004\000\005\000\006\000\007\000\010\000\011\000' > "$T/few.bin"
ok "$W" eval "$T/small/model.safetensors" --data "$T/few.bin" --seq 4 > /dev/null
refuses "refusing to load: pickle references posix.system" \
    "$W" eval "$T/small/model.safetensors" --tokenizer "$C/evil_system.pkl" --data "$T/moby.txt"
refuses "model.safetensors: not a tokenizer file" "$W" eval "$T/bare/model.safetensors" \
    --tokenizer "$T/hf2/model.safetensors" --data "$T/moby.txt"
rm "$T/hf2/merges.txt"
refuses "merges.txt not found beside it" "$W" eval "$T/bare/model.safetensors" \
    --tokenizer "$T/hf2/vocab.json" --data "$T/moby.txt"
refuses "/nonexistent.json: No such file or directory" "$W" eval "$T/bare/model.safetensors" \
    --tokenizer /nonexistent.json --data "$T/moby.txt"

# info says which tokenizer text would be read with
"$W" info "$T/hf" --no-stats > "$T/info"
ok grep -q "^tokenizer: gpt2-bpe, 50257 tokens, from $T/hf/tokenizer.json$" "$T/info"
"$W" info "$T/hf/model.safetensors" --no-stats --json | "$J" tokenizer.kind=gpt2-bpe tokenizer.tokens=50257
ok test $? -eq 0
"$W" info "$T/small/model.safetensors" --no-stats > "$T/info"
ok grep -q "^tokenizer: cannot be used: .*tokenizer.json: 50257 tokens, but the model's embedding has 512 rows" "$T/info"
"$W" info "$T/bare/model.safetensors" --no-stats > "$T/info"
ok grep -q "^tokenizer: none " "$T/info"

# 2. plot --row of the embedding: the token in the title (262 is " the").
"$W" plot "$T/hf/model.safetensors" --tensor tok_emb.weight --row 262 -o "$T/row.svg" > /dev/null 2>&1
ok test $? -eq 0
ok grep -q 'row 262 &quot; the&quot;' "$T/row.svg"

# 3. nanoGPT: meta.pkl beside the checkpoint, then in data/DATASET/ as nanoGPT keeps it.
mkdir -p "$T/nano/out" "$T/nano/data/moby_char"
"$W" init --layers 1 --d 8 --heads 2 --vocab 65 --block 32 --seed 4 -o "$T/nano/out/ckpt.safetensors" > /dev/null
cp "$C/meta.pkl" "$T/nano/out/"
{ cat "$T/moby.txt"; printf 'Zebra caf\303\251 \342\204\242\n'; } > "$T/moby2.txt"   # é ™ are not in it
a=$("$W" eval "$T/nano/out/ckpt.safetensors" --data "$T/moby2.txt" --seq 32 2> "$T/err")
ok test $? -eq 0
ok grep -q "note: [0-9]* pieces of the text are not in the vocabulary (characters dropped)" "$T/err"
ok test "$(wc -l < "$T/err")" -eq 1
b=$("$W" eval "$T/nano/out/ckpt.safetensors" --tokenizer "$C/meta_p2.pkl" --data "$T/moby2.txt" --seq 32 2> /dev/null)
ok test -n "$a"
ok test "$a" = "$b"
# train --init with --tokenizer: the vocabulary is the tokenizer's
"$W" train --init --layers 1 --d 8 --heads 2 --block 16 --tokenizer "$C/meta.pkl" \
    --data "$T/moby.txt" --steps 2 --batch 2 --seq 16 --eval-every 0 \
    --out "$T/char.safetensors" > /dev/null 2>&1
ok test $? -eq 0
ok "$W" info "$T/char.safetensors" --json --no-stats > "$T/char.json"
ok grep -q '"vocab_size": *65' "$T/char.json"
refuses "65 tokens, but the model's embedding has 512 rows" \
    "$W" train "$T/small/model.safetensors" --tokenizer "$C/meta.pkl" --data "$T/moby.txt" --steps 1

# A real nanoGPT checkpoint (tests/ref/checkpoints_ref.py: config dataset
# "moby_char") in out-tiny/, its meta.pkl in data/moby_char/ as nanoGPT keeps
# it: eval of the validation text = PyTorch's loss on val.bin.
mkdir -p "$T/repo/out-tiny" "$T/repo/data/moby_char"
cp "$S/tests/fixtures/net/nanogpt/ckpt.pt" "$T/repo/out-tiny/"
cp "$C/moby_char/meta.pkl" "$T/repo/data/moby_char/"
got=$("$W" eval "$T/repo/out-tiny/ckpt.pt" --data "$C/moby_char/val.txt" --seq 16 --batch 4 | awk '{ print $2 }')
ok test -n "$got"
want=$(sed -n 's/.*"nanogpt\/ckpt.pt": *\([0-9.]*\).*/\1/p' "$S/tests/fixtures/net/expected.json" | head -n 1)
ok awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= 1e-5 * b) }'
bin=$("$W" eval "$T/repo/out-tiny/ckpt.pt" --data "$S/tests/fixtures/net/val.bin" --seq 16 --batch 4)
ok test "$("$W" eval "$T/repo/out-tiny/ckpt.pt" --data "$C/moby_char/val.txt" --seq 16 --batch 4)" = "$bin"
(cd "$T/repo" && "$W" eval out-tiny/ckpt.pt --data "$C/moby_char/val.txt" --seq 16 --batch 4 > "$T/cwd.out")
ok test "$(cat "$T/cwd.out")" = "$bin"

# 4. The word tokenizer in a model wins over a meta.pkl beside it.
mkdir -p "$T/word"
"$W" train --init --layers 1 --d 8 --heads 2 --block 16 --data "$T/moby.txt" --steps 1 --batch 2 \
    --seq 16 --eval-every 0 --weights-only --out "$T/word/model.safetensors" > /dev/null 2>&1
ok test $? -eq 0
w1=$("$W" eval "$T/word/model.safetensors" --data "$T/moby.txt" --seq 16 2>/dev/null)
cp "$C/meta.pkl" "$T/word/"
ok test "$("$W" eval "$T/word/model.safetensors" --data "$T/moby.txt" --seq 16 2>/dev/null)" = "$w1"
finish
