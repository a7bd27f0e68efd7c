#!/bin/sh
# The bundled sample pair (sample-models/README.md) and the commands around
# it: the committed files load; `eval --val-frac` measures what a run's
# validation measured (exactly, on float32 weights) and reproduces each
# sample's recorded held-out loss; the pair's drift table matches numpy
# (tests/ref/samples_ref.py wrote tests/fixtures/samples/drift.csv); where
# wscope looks for the samples (--sample-dir, WSCOPE_SAMPLES, a binary
# outside the build tree never looking in it).
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
unset WSCOPE_SAMPLES
F="$S/tests/fixtures/samples"
SM="$S/sample-models"
BASE="$SM/moby-dick.safetensors" TUNED="$SM/moby-dick-sotu.safetensors"

# close A B TOL: |A - B| <= TOL
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# ---- eval --val-frac: the run's validation loss, from the saved weights ----
i=0
while [ $i -lt 20 ]; do   # lines that differ: the held-out part is not the start again
    i=$((i + 1))
    echo "The whale swam $i times. The ship sailed $((i * 7 % 13)) miles, and the sea was calm."
done > "$T/corpus.txt"
"$W" train --init --layers 1 --d 16 --heads 2 --block 16 --data "$T/corpus.txt" --steps 3 --batch 2 \
    --seq 16 --val-frac 0.25 --eval-every 0 --eval-batches 2 --weights-only --out "$T/m.safetensors" \
    --log "$T/log.csv" > /dev/null 2>&1
ok test $? -eq 0
got=$(awk -F, 'END { print $3 }' "$T/log.csv")   # the final row: step 3, its val_loss
"$W" eval "$T/m.safetensors" --data "$T/corpus.txt" --val-frac 0.25 --batch 2 --eval-batches 2 \
    --seq 16 > "$T/eval" 2> /dev/null
ok test $? -eq 0
ok grep -q "windows 4  tokens 64$" "$T/eval"
ok close "$(awk '{ print $2 }' "$T/eval")" "$got" 1e-6
# all of the held-out part, and the start of the file, are other numbers
"$W" eval "$T/m.safetensors" --data "$T/corpus.txt" --val-frac 0.25 --batch 2 --seq 16 > "$T/all" 2> /dev/null
ok test "$(awk '{ print $6 }' "$T/all")" -gt 4
"$W" eval "$T/m.safetensors" --data "$T/corpus.txt" --eval-batches 2 --batch 2 --seq 16 > "$T/start" 2> /dev/null
ok test "$(awk '{ print $6 }' "$T/start")" -eq 4
ok awk -v g="$got" '{ d = $2 - g; exit !(d * d > 1e-10) }' "$T/start"
"$W" eval "$T/m.safetensors" --data "$T/corpus.txt" --val-frac 0.25 --eval-batches 1 --batch 2 --seq 16 \
    --json > "$T/json" 2> /dev/null
ok "$J" command=eval parameters.val_frac=0.25 parameters.eval_batches=1 tables.eval.rows.0.windows=2 \
    < "$T/json"
refuses "^wscope: --val-frac: expected a fraction in (0, 1), got \"1.5\"$" \
    "$W" eval "$T/m.safetensors" --data "$T/corpus.txt" --val-frac 1.5
refuses "^wscope: --eval-batches: " "$W" eval "$T/m.safetensors" --data "$T/corpus.txt" --eval-batches -1
refuses "tokens held out hold no window of 16 + 1 tokens" \
    "$W" eval "$T/m.safetensors" --data "$T/corpus.txt" --val-frac 0.001 --seq 16

# ---- the committed pair ----
"$W" info "$BASE" > "$T/info" 2>&1
ok test $? -eq 0
ok grep -q "n_layer=4 n_head=4 n_embd=128 vocab_size=4000 block_size=128 tied=yes" "$T/info"
ok grep -q "tokenizer: word, 4000 tokens, from the model's metadata" "$T/info"
"$W" info "$TUNED" > "$T/info2" 2>&1
ok test $? -eq 0
ok test "$(grep -c ' F16 ' "$T/info")" -gt 20
# Each file's held-out loss as recorded when it was made (sample-models/README.md).
while IFS=, read -r model data batch eval_batches loss; do
    [ "$model" = model ] && continue
    got=$("$W" eval "$SM/$model" --data "$SM/$data" --val-frac 0.1 --batch "$batch" \
          --eval-batches "$eval_batches" --threads 2 2> /dev/null | awk '{ print $2 }')
    ok close "$got" "$loss" 1e-4
    [ -n "$got" ] && close "$got" "$loss" 1e-4 || echo "  $model on $data: $got, recorded $loss" >&2
done < "$F/losses.csv"
# The drift table of the network against numpy's, row by row.
"$W" drift "$BASE" "$TUNED" --csv > "$T/drift.csv"
ok test $? -eq 0
ok test "$(wc -l < "$T/drift.csv")" -eq "$(wc -l < "$F/drift.csv")"
awk -F, 'NR == FNR { if (FNR > 1) { r[$1] = $3; l[$1] = $4; c[$1] = $5; m[$1] = $6 }; next }
    FNR == 1 { next }
    function off(a, b) { if (a == "" || b == "") return a != b; d = a - b; if (d < 0) d = -d;
                         s = b < 0 ? -b : b; return d > 1e-6 * s + 1e-9 }
    !($1 in r) { print "not in numpy: " $1; bad++; next }
    off($6, r[$1]) || off($7, l[$1]) || off($8, c[$1]) || off($9, m[$1]) {
        print "differs: " $0 " (numpy " r[$1] " " l[$1] " " c[$1] " " m[$1] ")"; bad++ }
    END { exit bad > 0 }' "$F/drift.csv" "$T/drift.csv" >&2
ok test $? -eq 0

# ---- where the samples are ----
ok test "$("$W" --sample-dir)" = "$(cd "$SM" && pwd -P)"
ok test "$(WSCOPE_SAMPLES=/some/where "$W" --sample-dir)" = /some/where
# A binary outside the build tree never looks in it: installed in a tree of
# its own, it finds that tree's share/wscope (unless the configured data
# directory holds samples already: then that one).
mkdir -p "$T/inst/bin" "$T/inst/share/wscope"
cp "$W" "$T/inst/bin/wscope"
ok test "$("$T/inst/bin/wscope" --sample-dir)" != "$(cd "$SM" && pwd -P)"
cp "$BASE" "$T/inst/share/wscope/"
got=$("$T/inst/bin/wscope" --sample-dir)
ok test "$got" != "$(cd "$SM" && pwd -P)"
case $got in
"$(cd "$T/inst/share/wscope" && pwd -P)") ;;
*) [ -f "$got/moby-dick.safetensors" ] || { echo "FAIL: installed copy found $got" >&2; fail=$((fail + 1)); } ;;
esac
# No samples anywhere: the TUI says where it looked, in one line.
WSCOPE_SAMPLES="$T/none" "$W" > "$T/out" 2> "$T/err" < /dev/null
ok test $? -eq 2
ok grep -q "^wscope: $T/none/moby-dick.safetensors: no sample model here: give a MODEL, or set WSCOPE_SAMPLES" "$T/err"

finish
