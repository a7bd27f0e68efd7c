#!/bin/sh
# Token strings in the TUI: with nanoGPT's meta.pkl beside a model, the
# matrix view's info line and the row view's title show the token of an
# embedding row (escaped: \n for a newline, ␣ for a space; quoted with
# --ascii); --tokenizer gives one from elsewhere; a broken tokenizer beside
# the model is a message and the TUI still opens; a bad --tokenizer is one
# line and exit 2. Skips (77) only when tmux is missing.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
S=${WS_SRCDIR:-.}
C="$S/tests/fixtures/tok/char"
mkdir -p "$TMP/m" "$TMP/evil" "$TMP/bare"
"$W" init --layers 1 --d 8 --heads 2 --vocab 65 --block 16 --seed 5 -o "$TMP/m/model.safetensors" > /dev/null
cp "$C/meta.pkl" "$TMP/m/"
cp "$TMP/m/model.safetensors" "$TMP/evil/"
cp "$C/evil_system.pkl" "$TMP/evil/meta.pkl"
cp "$TMP/m/model.safetensors" "$TMP/bare/"

tui_start "$TMP/m/model.safetensors"
wait_for "tok_emb.weight"
keys / tok_emb Enter
keys Enter
wait_for "matrix: tok_emb.weight"
wait_for "row 0 col 0"
wait_for 'token \n'              # id 0 is the newline
keys j
wait_for "row 1 col 0"
wait_for "token ␣"               # id 1 is the space
keys Enter
wait_for "row 1 (0..64)  token ␣"
keys j
wait_for "row 2 (0..64)  token !"
keys Q
wait_for "WSCOPE-EXIT=0"

# --ascii: quoted; --tokenizer from elsewhere
tui_start --ascii --tokenizer "$C/meta_p2.pkl" "$TMP/bare/model.safetensors"
wait_for "tok_emb.weight"
keys / tok_emb Enter
keys Enter
wait_for "matrix: tok_emb.weight"
keys j
wait_for 'token " "'
keys Q
wait_for "WSCOPE-EXIT=0"

# a tokenizer beside the model that runs code: a message, no token strings
tui_start "$TMP/evil/model.safetensors"
wait_for "no tokenizer:"
wait_for "refusing to load"
wait_for "tok_emb.weight"
keys / tok_emb Enter
keys Enter
wait_for "row 0 col 0"
absent "token"
keys Q
wait_for "WSCOPE-EXIT=0"

# a bad --tokenizer stops before the screen opens
tui_start --tokenizer "$C/evil_exec.pkl" "$TMP/bare/model.safetensors"
wait_for "WSCOPE-EXIT=2"
wait_for "refusing to load: pickle references"
tui_finish tui_tokens
