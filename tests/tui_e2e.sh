#!/bin/sh
# End-to-end test of the TUI: drive the real binary in a detached tmux
# session, send keys, and assert on the captured screens. Every step polls
# the pane for the text it expects (no fixed sleeps), with a timeout.
# Skips (77) only when tmux is missing.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
need_sample

# ---- browse: model -> matrix -> row -> histogram -> help, resize, quit ----
tui_start "$MODEL"
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
screen | grep -q '^ *8 ▀' || fail "no row number 8 at the left edge"
keys j j l
wait_for "row 2 col 1"
keys Enter
wait_for "row: blocks.0.attn.c_attn.weight row 2 (0..191)"
wait_for "L2="
wait_for "┤"
screen | LC_ALL=C grep -q "$(printf '\342')[$(printf '\240\241\242\243')]" || fail "no braille dots in the row plot"
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
tm resize-window -t w -x 40 -y 10
wait_for "terminal too small"
wait_for "40x10, need 50x12"
tm resize-window -t w -x 100 -y 30
wait_for "Keys in the histogram view"
absent "terminal too small"
tm resize-window -t w -x 80 -y 24
wait_for "Keys everywhere"
keys q q q
wait_for "| matrix: blocks.0.attn.c_attn.weight"
keys q
wait_for "| model"
keys Q
wait_for "WSCOPE-EXIT=0"
[ "$(tm display -p -t w '#{alternate_on}')" = 0 ] || fail "still on the alternate screen"

# ---- ASCII glyphs and no colour: the heatmap becomes a glyph ramp ----
tui_start --ascii --colors 1 "$MODEL"
wait_for "tok_emb.weight"
keys Enter
wait_for "matrix: tok_emb.weight"
wait_for "row 0 col 0"
absent "▀"
screen | sed -n 2,5p | grep -q '[#@=*+-]' || fail "no ASCII ramp glyphs"
keys Enter
wait_for "row: tok_emb.weight row 0"
wait_for "++---"                    # ASCII axis corner and ticks
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- odd tensors (unknown layout, empty, scalar, F16/BF16/I32): no crash ----
tui_start "${WS_SRCDIR:-.}/tests/fixtures/ref_numpy.safetensors"
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
"$W" init --layers 2 --d 64 --heads 4 --vocab 512 --block 64 --seed 2 \
    -o "$TMP/tuned.safetensors" >/dev/null || fail "init"
# weight_at MODEL: w= the w the matrix view shows at row 3 col 2 of tok_emb
# (run in this shell, not in $(...), so that its failures count).
weight_at() {
    tui_start "$1"
    wait_for "tok_emb.weight"
    keys Enter j j j l l
    wait_for "row 3 col 2 "
    w=$(screen | sed -n 's/.*row 3 col 2 w=\([^ ]*\).*/\1/p')
    keys Q
    wait_for "WSCOPE-EXIT=0"
}
weight_at "$MODEL"; w0=$w
weight_at "$TMP/tuned.safetensors"; w1=$w
tui_start "$MODEL" "$TMP/tuned.safetensors"
wait_for "tok_emb.weight"
keys Enter j j j l l
wait_for "row 3 col 2 w="
keys d
wait_for "matrix: TUNED - MODEL: tok_emb.weight"
wait_for "row 3 col 2 dw="
dw=$(screen | sed -n 's/.*row 3 col 2 dw=\([^ ]*\).*/\1/p')
awk -v a="$w0" -v b="$w1" -v d="$dw" 'BEGIN { e = b - a - d; exit !(a != "" && d != "" && e < 2e-5 && e > -2e-5) }' ||
    fail "dw=$dw but TUNED - MODEL = $w1 - ($w0)"
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- colour tiers: NO_COLOR gives no colours at all; --colors 8 only the
# 8 ANSI colours (SGR 30-37/40-47), never 256-colour or RGB sequences ----
tui_start_env NO_COLOR=1 "$MODEL"
wait_for "tok_emb.weight"
keys Enter
wait_for "row 0 col 0"
absent "▀"
screen -e | sed 's/\[39m//g; s/\[49m//g' | grep -q '[[;][34][0-8]m\|38;\|48;' &&
    fail "NO_COLOR: colour escapes on screen"
keys Q
wait_for "WSCOPE-EXIT=0"
tui_start_env COLORTERM= "--colors 8 $MODEL"
wait_for "tok_emb.weight"
keys Enter
wait_for "row 0 col 0"
wait_for "▀"
screen -e | grep -q '38;5;\|48;5;\|38;2;\|48;2;' &&
    fail "--colors 8: 256/RGB colour escapes on screen"
screen -e | grep -q '\[4[0-7]m\|;4[0-7]m' ||
    fail "--colors 8: no ANSI background colours"
keys Q
wait_for "WSCOPE-EXIT=0"

# ---- bad input: a clear one-line error, exit 2, no terminal left behind ----
echo "not a model" > "$TMP/bad.safetensors"
out=$("$W" "$TMP/bad.safetensors" 2>&1 </dev/null); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "^wscope: $TMP/bad.safetensors: " ||
    fail "bad model: rc=$rc: $out"
out=$("$W" --colors x "$MODEL" 2>&1 </dev/null); rc=$?
[ $rc -eq 2 ] || fail "--colors x: rc=$rc: $out"

# ---- fatal signals: the terminal is restored, then the signal kills ----
for sig in TERM INT SEGV; do
    tui_start "$MODEL"
    wait_for "tok_emb.weight"
    kill -s $sig "$(cat "$TMP/pid")"
    case $sig in TERM) code=143;; INT) code=130;; SEGV) code=139;; esac
    wait_for "WSCOPE-EXIT=$code"
    [ "$(tm display -p -t w '#{alternate_on}')" = 0 ] ||
        fail "SIG$sig left the alternate screen on"
    [ "$(tm display -p -t w '#{cursor_flag}')" = 1 ] ||
        fail "SIG$sig left the cursor hidden"
done

tui_finish tui_e2e
