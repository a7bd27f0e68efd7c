#!/bin/sh
# End-to-end test of the TUI: drive the real binary in a detached tmux
# session, send keys, and assert on the captured screens. Every step polls
# the pane for the text it expects (no fixed sleeps), with a timeout.
# Skips (77) only when tmux is missing.
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipping"; exit 77; }

B=${WS_BUILDDIR:-.}
WSCOPE="$B/wscope"
MODEL="$B/sample-models/sample.safetensors"
[ -f "$MODEL" ] || { echo "no sample model at $MODEL"; exit 1; }
SOCK="wscope-test-$$"           # own server: tests may run in parallel
TMP=$(mktemp -d)
T() { tmux -L "$SOCK" "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
fails=0
screen() { T capture-pane -p -t w; }

# wait_for TEXT [SECONDS]: poll the pane until it shows TEXT (fixed string).
wait_for() {
    i=0; lim=$(( ${2:-10} * 20 ))
    while [ $i -lt $lim ]; do
        screen 2>/dev/null | grep -qF -- "$1" && return 0
        sleep 0.05; i=$((i + 1))
    done
    echo "FAIL: timed out waiting for: $1"; echo "---- screen:"; screen; echo "----"
    fails=$((fails + 1)); return 1
}
# absent TEXT: the pane must not show TEXT now.
absent() {
    if screen | grep -qF -- "$1"; then
        echo "FAIL: screen shows: $1"; screen; fails=$((fails + 1))
    fi
}
keys() { T send-keys -t w "$@"; }

# start ARGS...: run wscope in a fresh 100x30 session; its pid goes to $TMP/pid
# and its exit status is printed as WSCOPE-EXIT=N when it ends.
start() {
    T kill-session -t w 2>/dev/null
    T new-session -d -s w -x 100 -y 30 \
        "env LANG=C.UTF-8 LC_ALL=C.UTF-8 sh -c 'echo \$\$ > $TMP/pid; exec \"$WSCOPE\" $*'; echo WSCOPE-EXIT=\$?; sleep 60"
}

# A session that outlives the test sessions keeps the server up between them.
T new-session -d -s keep -x 20 -y 5 "sleep 600"

# ---- browse: model -> matrix -> row -> histogram -> help, resize, quit ----
start "$MODEL"
wait_for "tok_emb.weight"
wait_for "layer 1"
wait_for "29 tensors"
keys / c_attn.weight Enter
keys Enter
wait_for "matrix: blocks.0.attn.c_attn.weight"
wait_for "row 0 col 0"
wait_for "▀"
wait_for "+0.0"                     # colour bar scale
keys j j l
wait_for "row 2 col 1"
keys Enter
wait_for "row: blocks.0.attn.c_attn.weight row 2 (0..191)"
wait_for "L2="
wait_for "┤"
screen | LC_ALL=C grep -q "$(printf '\342')[$(printf '\240\241\242\243')]" || { echo "FAIL: no braille dots in the row plot"; fails=$((fails + 1)); }
keys j
wait_for "row 3 (0..191)"
keys g 100 Enter
wait_for "row 100 (0..191)"
keys g 999 Enter
wait_for "not a row number in 0..191"
keys t
wait_for "column 1 (0..63)"
keys H
wait_for "histogram: blocks.0.attn.c_attn.weight"
wait_for "n=12288"
keys '?'
wait_for "Keys in the histogram view"
wait_for "linear / logarithmic counts"
T resize-window -t w -x 40 -y 10
wait_for "terminal too small"
wait_for "40x10, need 50x12"
T resize-window -t w -x 100 -y 30
wait_for "Keys in the histogram view"
absent "terminal too small"
T resize-window -t w -x 80 -y 24
wait_for "Keys everywhere"
keys q q q
wait_for "| matrix: blocks.0.attn.c_attn.weight"
keys q
wait_for "| model"
keys Q
wait_for "WSCOPE-EXIT=0"
[ "$(T display -p -t w '#{alternate_on}')" = 0 ] || { echo "FAIL: still on the alternate screen"; fails=$((fails + 1)); }

# ---- ASCII glyphs and no colour: the heatmap becomes a glyph ramp ----
start --ascii --colors 1 "$MODEL"
wait_for "tok_emb.weight"
keys Enter
wait_for "matrix: tok_emb.weight"
wait_for "row 0 col 0"
absent "▀"
screen | sed -n 2,5p | grep -q '[#@=*+-]' || { echo "FAIL: no ASCII ramp glyphs"; fails=$((fails + 1)); }
keys Enter
wait_for "row: tok_emb.weight row 0"
wait_for "++---"                    # ASCII axis corner and ticks
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- bad input: a clear one-line error, exit 2, no terminal left behind ----
echo "not a model" > "$TMP/bad.safetensors"
out=$("$WSCOPE" "$TMP/bad.safetensors" 2>&1 </dev/null); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "^wscope: $TMP/bad.safetensors: " ||
    { echo "FAIL: bad model: rc=$rc: $out"; fails=$((fails + 1)); }
out=$("$WSCOPE" --colors x "$MODEL" 2>&1 </dev/null); rc=$?
[ $rc -eq 2 ] || { echo "FAIL: --colors x: rc=$rc: $out"; fails=$((fails + 1)); }

# ---- fatal signals: the terminal is restored, then the signal kills ----
for sig in TERM INT SEGV; do
    start "$MODEL"
    wait_for "tok_emb.weight"
    kill -s $sig "$(cat "$TMP/pid")"
    case $sig in TERM) code=143;; INT) code=130;; SEGV) code=139;; esac
    wait_for "WSCOPE-EXIT=$code"
    [ "$(T display -p -t w '#{alternate_on}')" = 0 ] ||
        { echo "FAIL: SIG$sig left the alternate screen on"; fails=$((fails + 1)); }
    [ "$(T display -p -t w '#{cursor_flag}')" = 1 ] ||
        { echo "FAIL: SIG$sig left the cursor hidden"; fails=$((fails + 1)); }
done

echo "tui_e2e: $fails failure(s)"
[ $fails -eq 0 ]
