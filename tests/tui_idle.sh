#!/bin/sh
# The TUI costs nothing at rest: with nothing running, wscope sleeps in its
# input wait (no timeout), so over a few seconds it uses (almost) no CPU
# time, in every view, once that view's work is done. And while work runs,
# the thread that draws only looks at it once a frame: it takes a small
# share of a core, leaving the rest to the work. CPU times come from
# /proc/PID/stat (clock ticks, not wall-clock timing of work): the bounds
# are loose (a spinning loop takes a large share even on a loaded machine,
# a sleeping one none). Skips (77) without tmux or /proc.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
[ -r /proc/self/stat ] || { echo "no /proc: skipping"; exit 77; }
TUI_WAIT=60 TUI_COLS=110 TUI_ROWS=32
HZ=$(getconf CLK_TCK)
REST=3                      # seconds measured at rest
IDLE_MAX=$((HZ / 20))       # at most 0.05 s of CPU time in those 3 s

# at_rest WHAT [TID]: the CPU time used over REST seconds stays under IDLE_MAX.
at_rest() {
    sleep 1   # the last frame of the work
    a=$(cpu_ticks ${2:-}); sleep $REST; b=$(cpu_ticks ${2:-})
    echo "$1: $((b - a)) ticks in $REST s (bound $IDLE_MAX, $HZ ticks/s)"
    [ $((b - a)) -le $IDLE_MAX ] || fail "$1: $((b - a)) clock ticks of CPU in $REST s at rest"
}

need_sample
"$W" init --layers 2 --d 64 --heads 4 --vocab 512 --block 64 --seed 2 -o "$TMP/other.safetensors" \
    > /dev/null || { echo "FAIL: init"; exit 1; }

tui_start "$MODEL" "$TMP/other.safetensors"
wait_for "tok_emb.weight"
wait_for "tensors,"           # the statistics are all in: the info line says what the model is
at_rest "model view"
keys S
wait_for "eigenvalues,"
at_rest "spectrum view"
keys q L
wait_for "(all layers)"
at_rest "layers view"
keys q D
wait_for "network RMS"
at_rest "drift view"
keys q F
wait_for "matrices fitted"
at_rest "fits view"
keys q T
wait_for "no run yet"
at_rest "training view"
keys '?'
wait_for "Keys in the"
at_rest "help"
keys q q Q
wait_for "WSCOPE-EXIT=0"

# While a training run goes, the drawing thread looks at it once a frame.
tiny_model
tui_start "$TMP/tiny.safetensors"
wait_for "tok_emb.weight"
keys T
wait_for "no run yet"
keys Enter C-u "$TMP/corpus.txt" Enter
wait_for " data       corpus.txt"
keys j Enter C-u 1000000 Enter
wait_for " steps      1000000"
keys s
wait_for "running   run 1  step"
pid=$(cat "$TMP/pid")
a=$(cpu_ticks "$pid"); w0=$(cpu_ticks); sleep $REST; b=$(cpu_ticks "$pid"); w1=$(cpu_ticks)
echo "training: the drawing thread $((b - a)) ticks, the process $((w1 - w0)) ticks in $REST s"
# A frame every 100 ms costs well under a tenth of a core; a spin takes the most.
[ $((b - a)) -le $((HZ * REST / 10)) ] || fail "the drawing thread took $((b - a)) ticks in $REST s"
keys x
wait_for "stopped   run 1  step"
at_rest "training view after the run"
keys q Q
wait_for "s save, d discard, other keys stay"
keys d
wait_for "WSCOPE-EXIT=0"

tui_finish tui_idle
