#!/bin/sh
# Replay every fuzz harness (fuzz/README.md) on its seed corpus
# fuzz/corpus/NAME: each input must run without a crash, a hang or (in a
# sanitizer build) a report. The corpus holds the inputs fuzzing found.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
for h in safetensors st_index zip pickle torch npy tokenizer runlog; do
    set -- "$S/fuzz/corpus/$h"/*
    ok test -e "$1"
    "$B/tests/run_capped" "$T/report" 300 "$B/fuzz/fuzz_$h" "$@" > "$T/out" 2> "$T/err"
    rc=$?
    ok test $rc -eq 0
    [ $rc -eq 0 ] || { echo "  fuzz_$h: exit $rc"; tail -30 "$T/err"; } >&2
done
finish
