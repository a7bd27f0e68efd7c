#!/bin/sh
# wscope report: the report of a small committed model with its fine-tune,
# a corpus and two training logs. Every expected file exists; every table's
# JSON is byte for byte what the CLI prints for the same analysis; index.md
# links only files that exist (and every file is linked); the same inputs
# give the same bytes; a report replaces a report but never another
# directory; Ctrl-C leaves no directory, half-written or temporary; bad
# input gets one line and exit 2.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

F="$S/tests/fixtures"
M="$F/gpt/ours_untied.safetensors"
TU="$F/gpt/ours_tanh.safetensors"
R1="$F/runs/lr6e-4.csv" R2="$F/runs/lr3e-3.csv"
# A corpus of token ids (nanoGPT .bin, uint16) inside the 67-token vocabulary.
i=0
while [ $i -lt 600 ]; do printf "\\$(printf %03o $(( (i * i + 3 * i) % 67 )))\\000"; i=$((i + 1)); done > "$T/corpus.bin"

report() { "$W" report "$M" "$TU" --corpus "$T/corpus.bin" --runs "$R1" --runs "$R2" --fit-rows 16 "$@"; }
report -o "$T/rep" > "$T/out"; ok test $? -eq 0
ok grep -q "^wrote $T/rep/index.md\$" "$T/out"
ok test -f "$T/rep/.wscope-report"

# Every section's tables and figures, in every format.
for f in fits.json fits.csv spectrum.json spectrum-eigenvalues.csv spectrum-pairs.csv \
         energy.json energy.csv pr.json pr.csv drift.json drift-drift.csv drift-unmatched.csv \
         basis.json basis-basis.csv basis-corpus.csv runs.json runs.csv; do
    ok test -s "$T/rep/tables/$f"
done
for stem in fits-r2 fits-centre_linearity spectrum energy-comps50 energy-comps90 pr-pr pr-pc1_pct \
            pr-amp_pr pr-amp_pc1_pct drift-relative drift-cosine basis-share basis-qk_ete_cos loss \
            runs-final_val runs-vs_first; do
    for ext in png svg pdf; do ok test -s "$T/rep/figures/$stem.$ext"; done
done

# Each JSON is what the CLI prints for the same analysis.
same_as() { "$W" "$@" --json > "$T/cli.json" && cmp -s "$T/cli.json" "$T/rep/tables/$json"; }
json=fits.json ok same_as fit "$M" --rows 16 --null 5
json=spectrum.json ok same_as spectrum "$M"
json=energy.json ok same_as spectrum "$M" --energy
json=pr.json ok same_as pr "$M"
json=drift.json ok same_as drift "$M" "$TU"
json=basis.json ok same_as basis "$M" --corpus "$T/corpus.bin"
"$W" spectrum "$M" --csv > "$T/cli.csv"; ok cmp -s "$T/cli.csv" "$T/rep/tables/spectrum-eigenvalues.csv"
ok "$J" command=runs tables.runs.rows.1.run=lr3e-3.csv tables.runs.rows.0.steps=60 < "$T/rep/tables/runs.json"
# The index names each command, and reads as the notes' sections.
ok grep -q "what \`wscope fit $M --rows 16 --null 5 --json\` prints" "$T/rep/index.md"
for h in "## L1 fits" "## Spectrum of EᵀE and its pairs" "## Spectral energy" \
         "## Layers: weight PR and amplitude structure" "## Drift" "## Corpus basis" \
         "## Training runs compared"; do
    ok grep -q "^$h\$" "$T/rep/index.md"
done

# index.md links only files that exist, and every file is linked.
sed -n 's/.*](\([^)#][^)]*\)).*/\1/p; s/)[^(]*](\([^)#][^)]*\)).*/\1/p' "$T/rep/index.md" > /dev/null
grep -o '](\(tables\|figures\)/[^)]*)' "$T/rep/index.md" | sed 's/^](//; s/)$//' | sort -u > "$T/links"
ok test "$(wc -l < "$T/links")" -gt 40
missing=0
while read -r l; do [ -f "$T/rep/$l" ] || { echo "  index.md links $l, which is missing" >&2; missing=1; }; done < "$T/links"
ok test $missing -eq 0
(cd "$T/rep" && find tables figures -type f | sort) > "$T/files"
ok cmp -s "$T/links" "$T/files"

# The same inputs, the same bytes.
report -o "$T/again" > /dev/null; ok test $? -eq 0
ok diff -r "$T/rep" "$T/again"
# A report replaces a report (and only what the new one has remains).
touch "$T/rep/figures/stale.png"
"$W" report "$M" --fit-rows 8 -o "$T/rep" > /dev/null; ok test $? -eq 0
ok test ! -e "$T/rep/figures/stale.png"
ok test ! -e "$T/rep/tables/drift.json"
ok grep -q "Not in this report: give a TUNED model to see the drift" "$T/rep/index.md"
ok test -z "$(ls -a "$T" | grep 'wscope-tmp')"

# --fit-null N: the fits' draws of each null family; the command beside
# the table says so (10, fit's default, goes without saying).
"$W" report "$M" --fit-rows 8 --fit-null 2 -o "$T/rep" > /dev/null; ok test $? -eq 0
json=fits.json ok same_as fit "$M" --rows 8 --null 2
ok grep -q "what \`wscope fit $M --rows 8 --null 2 --json\` prints" "$T/rep/index.md"
ok grep -q "fitted alike on 2 draws of Gaussian noise" "$T/rep/index.md"
"$W" report "$M" --fit-rows 8 --fit-null 10 -o "$T/rep" > /dev/null; ok test $? -eq 0
json=fits.json ok same_as fit "$M" --rows 8
ok grep -q "what \`wscope fit $M --rows 8 --json\` prints" "$T/rep/index.md"
refuses "expected an integer" "$W" report "$M" --fit-null -1 -o "$T/x"

# Never over anything else.
mkdir "$T/mine"; echo keep > "$T/mine/notes.txt"
refuses "$T/mine: exists and is not a wscope report" "$W" report "$M" -o "$T/mine"
ok test "$(cat "$T/mine/notes.txt")" = keep
refuses "is not a directory" "$W" report "$M" -o "$T/corpus.bin"
cp "$M" "$T/rep/model.safetensors"
refuses "holds an input file" "$W" report "$T/rep/model.safetensors" -o "$T/rep"
refuses "cannot create the report here" "$W" report "$M" -o "$T/no/such/dir"
refuses "report: no -o DIR (see wscope report --help)" "$W" report "$M"
refuses "expected an integer" "$W" report "$M" --fit-rows 0 -o "$T/x"
printf 'step,loss\n0,oops\n' > "$T/bad.csv"
refuses "report: $T/bad.csv: line 2" "$W" report "$M" --runs "$T/bad.csv" -o "$T/x"
printf '\377\377' > "$T/big.bin"
refuses "report: $T/big.bin: token 65535 at position 0" "$W" report "$M" --corpus "$T/big.bin" -o "$T/x"
ok test ! -e "$T/x"
ok test -z "$(ls -a "$T" | grep 'wscope-tmp')"

# Ctrl-C while it works: no report, no temporary directory, exit 130.
"$W" init --layers 2 --d 64 --heads 2 --vocab 6000 --block 16 --seed 2 -o "$T/slow.safetensors"
"$W" report "$T/slow.safetensors" --fit-rows all -o "$T/int" > /dev/null 2> "$T/err" &
pid=$!
n=0
while [ $n -lt 500 ] && [ -z "$(ls -a "$T" | grep 'int.wscope-tmp')" ]; do sleep 0.02; n=$((n + 1)); done
ok test -n "$(ls -a "$T" | grep 'int.wscope-tmp')"   # it was working
kill -INT $pid
wait $pid
ok test $? -eq 130
ok grep -q "^wscope: $T/int: interrupted: no report written\$" "$T/err"
ok test ! -e "$T/int"
ok test -z "$(ls -a "$T" | grep 'wscope-tmp')"
finish
