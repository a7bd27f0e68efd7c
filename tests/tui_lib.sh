# Shared scaffolding of the tmux end-to-end tests (tests/tui_*.sh). Source it
# right after `set -u`:
#     . "${WS_SRCDIR:-.}/tests/tui_lib.sh"
#
# Loading it:
#   - skips the test (exit 77) when tmux is missing;
#   - sets B (the build directory, $WS_BUILDDIR or .), W (the wscope binary),
#     TMP (a fresh temporary directory) and fails=0 (the failure counter);
#   - names a private tmux server ("wscope-TEST-PID"), so tests can run in
#     parallel without meeting each other's sessions;
#   - traps EXIT (and INT/TERM, which exit 130/143) to kill that server and
#     remove TMP.
# wscope runs in one tmux session named `w`; every function below targets it.
#
# Settings, read when a function runs (set them after sourcing):
#   TUI_WAIT   default timeout of wait_for, in seconds (10)
#   TUI_SLOW   what every wait is multiplied by: 1, or 10 when wscope is
#              built with AddressSanitizer (ten times slower at -O1; a
#              report takes 30 s of CPU there), set on loading
#   TUI_COLS   terminal width tui_start opens (100)
#   TUI_ROWS   terminal height tui_start opens (30)
#
# Functions:
#   tm ARGS...            tmux on the private server (tm resize-window -t w ...)
#   tiny_model            a one-layer model with a word tokenizer trained one
#                         step from init: $TMP/tiny.safetensors, and its
#                         text $TMP/corpus.txt; exit 1 if it cannot be made
#   need_sample           set MODEL to a small random model (2 layers, d 64,
#                         4 heads, vocab 512, block 64, init --seed 1, no
#                         tokenizer), made in $TMP; exit 1 if it cannot be
#                         made (the bundled trained pair: `$W` with no MODEL)
#   tui_start ARGS...     wscope ARGS in a fresh TUI_COLSxTUI_ROWS session `w`
#                         (the old one is killed), UTF-8 locale. Its pid goes
#                         to $TMP/pid; when it ends the pane shows
#                         WSCOPE-EXIT=N, N its exit status (128+sig if killed).
#                         ARGS are joined into a shell command line, unquoted.
#   tui_start_env ENV ARGS...
#                         the same with ENV (words VAR=value, may be empty)
#                         added to wscope's environment
#   screen [OPTS]         print the pane now (OPTS to capture-pane, e.g. -e)
#   shows TEXT            true when the pane shows TEXT now (fixed string)
#   wait_for TEXT [SECS]  poll the pane (every 0.05 s, SECS*20 times, default
#                         TUI_WAIT) until it shows TEXT; else fail and return 1
#   absent TEXT           fail if the pane shows TEXT now
#   wait_gone TEXT [SECS] poll the pane like wait_for until it no longer
#                         shows TEXT; else fail and return 1
#   keys KEYS...          tmux send-keys to the session
#   cpu_ticks [TID]       CPU time (user + system, in clock ticks, getconf
#                         CLK_TCK a second) wscope has used so far: the whole
#                         process, or with TID one of its threads (its pid:
#                         the main thread, the one that draws)
#   fail MESSAGE...       print "FAIL: MESSAGE" and the screen, count a failure
#   tui_finish NAME       print "NAME: N failure(s)"; exit 0 if none, else 1
#
# Sanitizer builds: reports go to $TMP/sanitizer.PID, never onto the screen
# (ASAN_OPTIONS/UBSAN_OPTIONS log_path, exported before the tmux server
# starts so wscope inherits them); tui_finish fails on any and prints it.

command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipping"; exit 77; }

B=${WS_BUILDDIR:-.}
W="$B/wscope"
TUI_WAIT=10 TUI_COLS=100 TUI_ROWS=30 TUI_SLOW=1
grep -q __asan_ "$W" 2>/dev/null && TUI_SLOW=10
fails=0
TUI_SOCK="wscope-$(basename "$0" .sh)-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wscope-$(basename "$0" .sh)-XXXXXX") ||
    { echo "FAIL: mktemp"; exit 1; }

ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/sanitizer"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/sanitizer"
export ASAN_OPTIONS UBSAN_OPTIONS

tm() { tmux -L "$TUI_SOCK" "$@"; }
tui_cleanup() { tm kill-server 2>/dev/null; rm -rf "$TMP"; }
trap tui_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tiny_model() {
    printf '%s\n' "The whale swam. The ship sailed, and the sea was calm; the whale dived." \
        "Call me Ishmael. The sea, the ship, the whale: all of them were grey." > "$TMP/a.txt"
    for tui_i_ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do cat "$TMP/a.txt"; done \
        > "$TMP/corpus.txt"
    "$W" train --init --layers 1 --d 16 --heads 2 --block 16 --data "$TMP/corpus.txt" --steps 1 \
        --batch 2 --seq 16 --weights-only --out "$TMP/tiny.safetensors" > /dev/null 2>&1 ||
        { echo "FAIL: train --init"; exit 1; }
}
need_sample() {
    MODEL="$TMP/random.safetensors"
    [ -f "$MODEL" ] || "$W" init --layers 2 --d 64 --heads 4 --vocab 512 --block 64 --seed 1 \
        -o "$MODEL" > /dev/null || { echo "FAIL: init"; exit 1; }
}
tui_start() { tui_start_env "" "$@"; }
tui_start_env() {
    tui_env_=$1; shift
    # A session that outlives the test sessions keeps the server up between them.
    tm has-session -t keep 2>/dev/null || tm new-session -d -s keep -x 20 -y 5 "sleep 600"
    tm kill-session -t w 2>/dev/null
    tm new-session -d -s w -x "$TUI_COLS" -y "$TUI_ROWS" \
        "env LANG=C.UTF-8 LC_ALL=C.UTF-8 ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS $tui_env_ sh -c 'echo \$\$ > $TMP/pid; exec \"$W\" $*'; echo WSCOPE-EXIT=\$?; sleep 60"
}

screen() { tm capture-pane -p "$@" -t w; }
shows() { screen -J 2>/dev/null | grep -qF -- "$1"; }   # -J: a message the terminal wrapped reads as one line
fail() {
    echo "FAIL: $*"; echo "---- screen:"; screen; echo "----"
    fails=$((fails + 1))
}
wait_for() {
    tui_i_=0; tui_lim_=$(( ${2:-$TUI_WAIT} * 20 * TUI_SLOW ))
    while [ $tui_i_ -lt $tui_lim_ ]; do
        shows "$1" && return 0
        sleep 0.05; tui_i_=$((tui_i_ + 1))
    done
    fail "timed out waiting for: $1"; return 1
}
absent() { if shows "$1"; then fail "screen shows: $1"; fi; }
wait_gone() {
    tui_i_=0; tui_lim_=$(( ${2:-$TUI_WAIT} * 20 * TUI_SLOW ))
    while [ $tui_i_ -lt $tui_lim_ ]; do
        shows "$1" || return 0
        sleep 0.05; tui_i_=$((tui_i_ + 1))
    done
    fail "timed out waiting for this to go: $1"; return 1
}
keys() { tm send-keys -t w "$@"; }
cpu_ticks() {
    tui_pid_=$(cat "$TMP/pid")
    # /proc/PID/stat: utime and stime are fields 14 and 15; the name (field
    # 2, in parentheses) is cut off first in case it holds a space.
    sed 's/^.*) //' "/proc/$tui_pid_/${1:+task/$1/}stat" | awk '{print $12 + $13}'
}

tui_finish() {
    for f_ in "$TMP"/sanitizer.*; do
        [ -e "$f_" ] || continue
        echo "FAIL: sanitizer report $(basename "$f_"):"
        cat "$f_"
        fails=$((fails + 1))
    done
    echo "$1: $fails failure(s)"
    [ "$fails" -eq 0 ] && exit 0
    exit 1
}
