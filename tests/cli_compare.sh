#!/bin/sh
# wscope compare: one row per strategy; freezing everything leaves the
# validation loss exactly where it started while training lowers it; the
# mean and std over seeds equal those of the single-seed runs; the verdict
# column says whether a difference exceeds the seed noise; bad
# strategies get one line "wscope: ...: reason" and exit 2.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
# col CSV ROW NAME: the value in column NAME of data row ROW (1-based).
col() { awk -F, -v r="$2" -v name="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i }
                                         NR == r + 1 { print $c }' "$1"; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-6 * (b < 0 ? -b : b) + 1e-9) }'; }

printf '%s\n' "The whale swam. The ship sailed, and the sea was calm; the whale dived." \
    "Call me Ishmael. The sea, the ship, the whale: all of them were grey." > "$T/a.txt"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do cat "$T/a.txt"; done > "$T/c.txt"
"$W" train --init --layers 2 --d 16 --heads 2 --block 16 --data "$T/c.txt" --steps 1 --batch 2 --seq 16 \
    --weights-only --out "$T/m.safetensors" > /dev/null 2>&1 || { echo "FAIL: train --init"; exit 1; }

run() { "$W" compare "$T/m.safetensors" --data "$T/c.txt" --steps 15 --batch 4 --seq 16 --lr 3e-3 "$@"; }
run --strategy full --strategy 'frozen:*=freeze' --strategy 'mix:qkv@0,1=crystal:1,mlp_up=random' \
    --seeds 2 --csv > "$T/all.csv"
ok test $? -eq 0
ok test "$(wc -l < "$T/all.csv")" -eq 4                       # header + one row per strategy
ok test "$(cut -d, -f1 "$T/all.csv" | tr '\n' ' ')" = "strategy full frozen mix "
ok grep -q '^mix,"qkv@0,1=crystal:1,mlp_up=random",2,' "$T/all.csv"   # CSV quotes the commas
# Frozen everything: the weights never move, so the loss after equals before.
ok test "$(col "$T/all.csv" 2 val_end_mean)" = "$(col "$T/all.csv" 2 val_start)"
ok test "$(col "$T/all.csv" 2 val_end_std)" = 0
ok awk -v a="$(col "$T/all.csv" 1 val_end_mean)" -v b="$(col "$T/all.csv" 1 val_start)" 'BEGIN { exit !(a < b) }'

# The verdict: Welch's t-test of val_end against the first strategy
# (p < 0.05: differs). Freezing everything is far outside the seed noise;
# a strategy that trains the same as the first has p = 1.
run --strategy full --strategy 'frozen:*=freeze' --strategy 'same:qkv@0=train' --seeds 2 --csv > "$T/v.csv"
ok test "$(col "$T/v.csv" 1 verdict)" = "-"
ok test "$(col "$T/v.csv" 2 verdict)" = "differs"
ok awk -v p="$(col "$T/v.csv" 2 p_vs_first)" 'BEGIN { exit !(p != "" && p < 0.05) }'
ok test "$(col "$T/v.csv" 3 verdict)" = "within noise"
ok test "$(col "$T/v.csv" 3 p_vs_first)" = 1
run --strategy full --strategy 'frozen:*=freeze' --seeds 1 --csv > "$T/v1.csv"
ok test "$(col "$T/v1.csv" 2 verdict)" = "no test"               # one seed: no noise to measure

# Mean and sample std over seeds 1 and 2 = those of the two single runs.
run --strategy full --seeds 1 --seed 1 --csv > "$T/s1.csv"
run --strategy full --seeds 1 --seed 2 --csv > "$T/s2.csv"
a=$(col "$T/s1.csv" 1 val_end_mean) b=$(col "$T/s2.csv" 1 val_end_mean)
ok near "$(col "$T/all.csv" 1 val_end_mean)" "$(awk -v a="$a" -v b="$b" 'BEGIN { print (a + b) / 2 }')"
ok near "$(col "$T/all.csv" 1 val_end_std)" "$(awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.17g", d / sqrt(2) }')"
ok test "$(col "$T/s1.csv" 1 val_end_std)" = ""                # one seed: no std
ok test "$a" != "$b"                                           # the seed draws other batches

# compare takes train's data and optimizer options: with sequential windows
# the seed no longer draws the batches, so two seeds end alike.
run --strategy full --seeds 2 --sampling sequential --csv > "$T/seq.csv"
ok test $? -eq 0
ok test "$(col "$T/seq.csv" 1 val_end_std)" = 0
ok test "$(col "$T/seq.csv" 1 val_end_mean)" != "$(col "$T/all.csv" 1 val_end_mean)"

# Text and JSON forms.
run --strategy full --seeds 1 > "$T/out.txt"
ok grep -q '^strategy  *policies  *seeds  *val_start' "$T/out.txt"
run --strategy full --seeds 1 --json > "$T/out.json"
ok grep -q '"strategy": *"full"' "$T/out.json"
ok "$J" command=compare model="$T/m.safetensors" parameters.strategies.0=full parameters.seeds=1 \
   parameters.training.steps=15 -k strategies tables.strategies.rows.0.val_end_mean < "$T/out.json"

# Bad input: one line, exit 2.
bad() { refuses "^wscope: " run "$@"; }
bad --strategy 'qkv=freeze'                 # no name
bad --strategy 'x:zzz=freeze'               # selects nothing
bad --strategy 'x:qkv=melt'                 # unknown policy
bad --strategy full --seeds 0
bad
finish
