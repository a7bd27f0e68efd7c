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
wait_for "cols 0-63"
screen | grep -q '^ *8 ▀' || { echo "FAIL: no row number 8 at the left edge"; fails=$((fails + 1)); }
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

# ---- odd tensors (unknown layout, empty, scalar, F16/BF16/I32): no crash ----
start "${WS_SRCDIR:-.}/tests/fixtures/ref_numpy.safetensors"
wait_for "no GPT roles"
wait_for "f.scalar"
keys G k Enter
wait_for "e.empty is empty"
keys H
wait_for "e.empty is empty"
keys q q j Enter
wait_for "matrix: f.scalar"
wait_for "row 0 col 0 w=2.5 "
keys Enter
wait_for "row 0: n=1 mean=2.5 std=0 min=2.5 max=2.5 L2=2.5"
keys q q k k k Enter
wait_for "matrix: c.bf16"
# Values from tests/fixtures/ref_numpy.expected.json (written by numpy).
wait_for "row 0 col 0 w=-3.875 "
keys l
wait_for "row 0 col 1 w=-5.531 "
keys j
wait_for "row 1 col 1 w=0.8125 "
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- MODEL TUNED: `d` shows TUNED - MODEL; dw at the cursor must equal the
# difference of the two weights shown by each model alone ----
"$WSCOPE" init --layers 2 --d 64 --heads 4 --vocab 512 --block 64 --seed 2 \
    -o "$TMP/tuned.safetensors" >/dev/null || { echo "FAIL: init"; fails=$((fails + 1)); }
# weight_at MODEL: the w= the matrix view shows at row 3 col 2 of tok_emb.
weight_at() {
    start "$1"
    wait_for "tok_emb.weight"
    keys Enter j j j l l
    wait_for "row 3 col 2 "
    screen | sed -n 's/.*row 3 col 2 w=\([^ ]*\).*/\1/p'
    keys Q
    wait_for "WSCOPE-EXIT=0"
}
w0=$(weight_at "$MODEL")
w1=$(weight_at "$TMP/tuned.safetensors")
start "$MODEL" "$TMP/tuned.safetensors"
wait_for "tok_emb.weight"
keys Enter j j j l l
wait_for "row 3 col 2 w="
keys d
wait_for "matrix: TUNED - MODEL: tok_emb.weight"
wait_for "row 3 col 2 dw="
dw=$(screen | sed -n 's/.*row 3 col 2 dw=\([^ ]*\).*/\1/p')
awk -v a="$w0" -v b="$w1" -v d="$dw" 'BEGIN { e = b - a - d; exit !(a != "" && d != "" && e < 2e-5 && e > -2e-5) }' ||
    { echo "FAIL: dw=$dw but TUNED - MODEL = $w1 - ($w0)"; fails=$((fails + 1)); }
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- colour tiers: NO_COLOR gives no colours at all; --colors 8 only the
# 8 ANSI colours (SGR 30-37/40-47), never 256-colour or RGB sequences ----
start_env() { env_="$1"; shift; T kill-session -t w 2>/dev/null
    T new-session -d -s w -x 100 -y 30 \
        "env LANG=C.UTF-8 LC_ALL=C.UTF-8 $env_ \"$WSCOPE\" $*; echo WSCOPE-EXIT=\$?; sleep 60"; }
start_env NO_COLOR=1 "$MODEL"
wait_for "tok_emb.weight"
keys Enter
wait_for "row 0 col 0"
absent "▀"
T capture-pane -p -e -t w | sed 's/\[39m//g; s/\[49m//g' | grep -q '[[;][34][0-8]m\|38;\|48;' &&
    { echo "FAIL: NO_COLOR: colour escapes on screen"; fails=$((fails + 1)); }
keys Q
wait_for "WSCOPE-EXIT=0"
start_env COLORTERM= "--colors 8 $MODEL"
wait_for "tok_emb.weight"
keys Enter
wait_for "row 0 col 0"
wait_for "▀"
T capture-pane -p -e -t w | grep -q '38;5;\|48;5;\|38;2;\|48;2;' &&
    { echo "FAIL: --colors 8: 256/RGB colour escapes on screen"; fails=$((fails + 1)); }
T capture-pane -p -e -t w | grep -q '\[4[0-7]m\|;4[0-7]m' ||
    { echo "FAIL: --colors 8: no ANSI background colours"; fails=$((fails + 1)); }
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
