#!/bin/sh
# The command line's manners: --help and -h on every subcommand (and
# `wscope help CMD`), usage within 80 columns, one-line errors with the
# "wscope:" prefix and exit 2 for unknown options, missing values, values out
# of range and mistyped commands; the TUI without a terminal exits 2.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
F="$S/tests/fixtures/train"
M="$F/seq_model.safetensors"
D="$F/seq.bin"
export LC_ALL=C.UTF-8   # columns counted in characters

width() { wc -L < "$1"; }
"$W" --help > "$T/help"
ok test "$(width "$T/help")" -le 80
cmds=$(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$T/help")
ok test "$(printf '%s\n' $cmds | wc -l)" -ge 11

# 1. Help: on stdout, exit 0, within 80 columns, the same three ways.
for c in $cmds; do
    "$W" "$c" --help > "$T/out" 2> "$T/err"
    ok test $? -eq 0
    ok test ! -s "$T/err"
    ok grep -q "^usage: wscope $c" "$T/out"
    ok test "$(width "$T/out")" -le 80
    [ "$(width "$T/out")" -le 80 ] || echo "  wscope $c --help is $(width "$T/out") columns wide" >&2
    "$W" "$c" -h > "$T/out2" 2>&1
    ok cmp -s "$T/out" "$T/out2"
    "$W" help "$c" > "$T/out3" 2>&1
    ok cmp -s "$T/out" "$T/out3"
    # an unknown option: one line, the prefix, exit 2
    refuses "^wscope: $c: unknown (or ambiguous) option --bogus-option (see wscope $c --help)$" \
        "$W" "$c" --bogus-option
done
ok sh -c "! grep -q 'unrecognized option' '$T/err'"

# 2. Missing values, values given to flags, values out of range.
refuses "^wscope: train: --data needs a value (see wscope train --help)$" "$W" train "$M" --data
refuses "^wscope: eval: --data needs a value" "$W" eval "$M" --data
refuses "^wscope: fit: --k needs a value" "$W" fit "$M" --k
refuses "^wscope: spectrum: --top needs a value" "$W" spectrum "$M" --top
refuses "^wscope: basis: --corpus needs a value" "$W" basis "$M" --corpus
refuses "^wscope: compare: --seeds needs a value" "$W" compare "$M" --seeds
refuses "^wscope: plot: --tensor needs a value" "$W" plot "$M" --tensor
refuses "^wscope: init: -o needs a value" "$W" init -o
refuses "^wscope: info: --json takes no value" "$W" info "$M" --json=yes
refuses "^wscope: --lr: must be a number from 0 to 10, got 1e39$" "$W" train "$M" --data "$D" --lr 1e39
refuses "^wscope: --lr: must be a number from 0 to 10, got nan$" "$W" train "$M" --data "$D" --lr nan
refuses "^wscope: --beta1: must be a number from 0 to 1 (excluded), got 1$" "$W" train "$M" --data "$D" --beta1 1
refuses "^wscope: --eps: must be a number from 0 (excluded) to 1, got 0$" "$W" train "$M" --data "$D" --eps 0
refuses "^wscope: --wd: must be a number" "$W" compare "$M" --data "$D" --strategy a:qkv=freeze --wd -1
refuses "^wscope: --steps: expected an integer from 1 to" "$W" train "$M" --data "$D" --steps 0
refuses "^wscope: info: no MODEL (see wscope info --help)$" "$W" info
refuses "^wscope: eval: no --data FILE" "$W" eval "$M"
refuses "^wscope: train: no --data FILE" "$W" train "$M"
refuses "^wscope: init: no -o FILE" "$W" init

# 3. A mistyped command is not opened as a model.
refuses "^wscope: trian: no such command or file; did you mean train? (see wscope --help)$" "$W" trian "$M"
refuses "^wscope: bogus: no such command or file (see wscope --help)$" "$W" bogus
refuses "^wscope: bogus: no such command (see wscope --help)$" "$W" help bogus
refuses "^wscope: ./missing.safetensors: No such file or directory$" "$W" ./missing.safetensors
"$W" help > "$T/out" 2>&1
ok cmp -s "$T/out" "$T/help"

# 4. The TUI needs a terminal: without one, one line and exit 2.
refuses "^wscope: the TUI needs a terminal" "$W" "$M" < /dev/null
refuses "^wscope: --bogus: unknown option" "$W" --bogus "$M"

finish
