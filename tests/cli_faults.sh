#!/bin/sh
# Fault injection for every write (tests/faultinject.so): ENOSPC and EIO at
# each write, fsync, close and rename of a model, a figure and a table;
# SIGINT, SIGTERM and kill -9 during a save. Always: the old file intact or
# the new one complete, never truncated; no temporary file left; one line
# saying what happened. A failed final save of a training run writes the
# weights to a recovery file and says where.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
SHIM="$B/tests/faultinject.so"
[ -f "$SHIM" ] || { echo "no $SHIM"; exit 1; }
# Under AddressSanitizer the shim comes before its runtime: allowed here.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
F="$S/tests/fixtures/train"
M="$F/seq_model.safetensors"
sum() { cksum < "$1"; }
no_temps() { test -z "$(ls -A "$T" | grep wscope-tmp)"; }
faulty() { # faulty SPEC CMD...: run with the fault; stdout/stderr in $T/out, $T/err
    spec=$1; shift
    : > "$T/fired"
    WS_FAULT=$spec WS_FAULT_LOG="$T/fired" LD_PRELOAD="$SHIM" "$@" > "$T/out" 2> "$T/err"
}

# 1. Every write, fsync, close and rename fails once, in turn: for a model
#    (init), a figure (plot) and a table (fit --rows-out).
"$W" init --layers 1 --d 8 --heads 2 --vocab 16 --block 8 -o "$T/m.safetensors"
"$W" plot "$M" --tensor tok_emb.weight --row 1 -o "$T/fig.png"
"$W" fit "$M" --tensor blocks.0.mlp.2.weight --rows 2 --rows-out "$T/rows.csv" > /dev/null
cases=0
for out in m.safetensors fig.png rows.csv; do
    case $out in
        m.safetensors) cmd="$W init --layers 1 --d 8 --heads 2 --vocab 16 --block 8 --seed 9 -o $T/$out" ;;
        fig.png) cmd="$W plot $M --tensor tok_emb.weight --row 2 -o $T/$out" ;;
        rows.csv) cmd="$W fit $M --tensor blocks.0.mlp.2.weight --rows 3 --rows-out $T/$out" ;;
    esac
    cp "$T/$out" "$T/$out.orig"
    old=$(sum "$T/$out")
    for op in write fsync close rename; do
        for err in ENOSPC EIO; do
            n=1
            while [ $n -le 50 ]; do
                cp "$T/$out.orig" "$T/$out"
                # shellcheck disable=SC2086
                faulty "$op:$n:$err" $cmd
                rc=$?
                [ -s "$T/fired" ] || break      # fewer than n calls: done with this op
                cases=$((cases + 1))
                case $err in ENOSPC) reason="No space left on device" ;; *) reason="Input/output error" ;; esac
                ok test $rc -ne 0
                ok test "$(sum "$T/$out")" = "$old"
                ok no_temps
                ok test "$(wc -l < "$T/err")" -eq 1
                ok grep -q "^wscope: $T/$out: .*$reason (the old file is unchanged)$" "$T/err"
                [ "$fail" -eq 0 ] || { echo "  at $out $op:$n:$err: $(cat "$T/err")" >&2; break 3; }
                n=$((n + 1))
            done
            ok test $n -gt 1        # the fault fired at least once
            ok test $rc -eq 0       # ... and once past the last call, the write succeeded
        done
    done
done
ok test $cases -ge 24
echo "fault cases: $cases"

# 2. A training run whose final save fails keeps its weights in a recovery file.
faulty write:1:ENOSPC "$W" train "$M" --data "$F/seq.bin" --steps 2 --batch 2 --seq 8 --eval-every 0 \
    --out "$T/tuned.safetensors"
ok test $? -eq 1
ok test ! -e "$T/tuned.safetensors"
ok grep -q "tuned.safetensors: write failed: No space left on device (nothing was written); the weights of step 2 were saved to $T/tuned.recovered.safetensors instead" "$T/err"
ok "$W" info --no-stats "$T/tuned.recovered.safetensors" > /dev/null
ok grep -aq '"train.step":"2"' "$T/tuned.recovered.safetensors"
ok no_temps
# a second failure never overwrites the first recovery file
faulty write:1:ENOSPC "$W" train "$M" --data "$F/seq.bin" --steps 1 --batch 2 --seq 8 --eval-every 0 \
    --out "$T/tuned.safetensors"
ok grep -q "saved to $T/tuned.recovered-2.safetensors instead" "$T/err"
ok grep -aq '"train.step":"2"' "$T/tuned.recovered.safetensors"

# 3. A training log written in place (one row per step): a write that fails
#    stops the log with one line saying why; the run goes on and saves its
#    weights, and the exit status says the work was not all done.
export WS_FAULT_FILES=log.csv
faulty write:3:ENOSPC "$W" train "$M" --data "$F/seq.bin" --steps 4 --batch 2 \
    --seq 8 --eval-every 0 --out "$T/logged.safetensors" --log "$T/log.csv"
ok test $? -eq 1
ok test -s "$T/fired"
ok grep -q "^wscope: $T/log.csv: .*No space left on device" "$T/err"
ok test "$(grep -c "log.csv" "$T/err")" -eq 1
ok "$W" info --no-stats "$T/logged.safetensors" > /dev/null
ok test "$(head -n 1 "$T/log.csv" | cut -d, -f1)" = step    # the rows before the failure stay
# the header cannot be written: refused before the run
rm -f "$T/log.csv"
faulty write:1:EIO "$W" train "$M" --data "$F/seq.bin" --steps 2 --batch 2 \
    --seq 8 --eval-every 0 --log "$T/log.csv"
ok test $? -eq 2
ok grep -q "^wscope: $T/log.csv: .*Input/output error" "$T/err"
ok test "$(wc -l < "$T/err")" -eq 1
unset WS_FAULT_FILES

# 4. Signals during a save: slow writes, a signal once the temporary file exists.
"$W" init --layers 2 --d 32 --heads 2 --vocab 64 --block 16 -o "$T/big.safetensors"
old=$(sum "$T/big.safetensors")
for sig in INT TERM KILL; do
    rm -f "$T/mark"
    WS_FAULT_SLOW=20 WS_FAULT_MARK="$T/mark" LD_PRELOAD="$SHIM" \
        "$W" init --layers 2 --d 32 --heads 2 --vocab 64 --block 16 --seed 7 -o "$T/big.safetensors" \
        > /dev/null 2> "$T/err" &
    pid=$!
    i=0
    while [ ! -e "$T/mark" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
    ok test -e "$T/mark"
    kill -$sig $pid
    wait $pid
    rc=$?
    ok test $rc -gt 128
    ok test "$(sum "$T/big.safetensors")" = "$old"
    if [ $sig = KILL ]; then
        ok test -n "$(ls -A "$T" | grep "^.big.safetensors.wscope-tmp.$pid$")"   # left behind ...
        "$W" init --layers 1 --d 8 --heads 2 --vocab 16 --block 8 -o "$T/next.safetensors"
        ok no_temps                                                              # ... until the next write
    else
        ok no_temps
        ok grep -q "^wscope: $T/big.safetensors: interrupted while saving: left as it was (temporary file removed)$" "$T/err"
    fi
done

finish
