#!/bin/sh
# The TUI's export key `e`: from the matrix, row, row fit, histogram and
# spectrum views it writes PNG, SVG and PDF figures beside the model and names them in the info
# line; with the model's directory read-only it writes into the current
# directory. Drives the real binary in tmux (skips, 77, without tmux).
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
WSCOPE=$(cd "$B" && pwd)/wscope     # absolute: the session runs elsewhere
# The model directory may be left read-only: make it removable again.
tui_cleanup() { tm kill-server 2>/dev/null; chmod -R u+w "$TMP"; rm -rf "$TMP"; }
check() { "$@" || fail "$*"; }
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
start() { # DIR MODEL: run wscope in DIR on MODEL
    tm kill-session -t w 2>/dev/null
    tm new-session -d -s w -x 150 -y 30 -c "$1" \
        "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$WSCOPE' '$2'; echo WSCOPE-EXIT=\$?; sleep 60"
}

mkdir "$TMP/models" "$TMP/cwd"
"$WSCOPE" init --layers 1 --d 16 --heads 2 --vocab 40 --block 8 -o "$TMP/models/m.safetensors"
tm new-session -d -s keep -x 20 -y 5 "sleep 600"

start "$TMP/cwd" "$TMP/models/m.safetensors"
wait_for "tok_emb.weight"
keys Enter
wait_for "matrix: tok_emb.weight"
wait_for "cols 0-15"                # the data is loaded
keys e
wait_for "wrote $TMP/models/tok_emb.weight-heatmap.png, .svg, .pdf"
check is_png "$TMP/models/tok_emb.weight-heatmap.png"
check grep -q '>tok_emb.weight (40×16)</text>' "$TMP/models/tok_emb.weight-heatmap.svg"
check test "$(head -c 5 "$TMP/models/tok_emb.weight-heatmap.pdf")" = "%PDF-"
keys j j Enter
wait_for "row: tok_emb.weight row 2"
keys e
wait_for "wrote $TMP/models/tok_emb.weight-row2.png, .svg, .pdf"
check is_png "$TMP/models/tok_emb.weight-row2.png"
check grep -q '>column index</text>' "$TMP/models/tok_emb.weight-row2.svg"
keys '?'
wait_for "export this plot (PNG, SVG, PDF beside the model)"
keys q G
wait_for "row fit: tok_emb.weight row 2"
wait_for "R2="
keys e
wait_for "wrote $TMP/models/tok_emb.weight-row2-fit4-free.png, .svg, .pdf"
check grep -q '>free 4-Gaussian fit, R² = ' "$TMP/models/tok_emb.weight-row2-fit4-free.svg"
check grep -q '>tok_emb.weight row 2, free fit</text>' "$TMP/models/tok_emb.weight-row2-fit4-free.svg"
keys q H
wait_for "histogram: tok_emb.weight"
wait_for "n=640"                    # counted
keys e
wait_for "wrote $TMP/models/tok_emb.weight-hist.png, .svg, .pdf"
check grep -q '>count</text>' "$TMP/models/tok_emb.weight-hist.svg"
keys q q q S
wait_for "16 eigenvalues"           # computed
keys e
wait_for "wrote $TMP/models/tok_emb.weight-spectrum.png, .svg, .pdf"
check grep -q '>eigenvalue λ</text>' "$TMP/models/tok_emb.weight-spectrum.svg"
keys Q
wait_for "WSCOPE-EXIT=0"

# ΔW: with a TUNED model, `d` then `e` writes the difference, titled with
# both file names and a colour bar titled ΔW.
"$WSCOPE" init --layers 1 --d 16 --heads 2 --vocab 40 --block 8 --seed 9 -o "$TMP/models/t.safetensors"
tm kill-session -t w 2>/dev/null
tm new-session -d -s w -x 150 -y 30 -c "$TMP/cwd" \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$WSCOPE' '$TMP/models/m.safetensors' '$TMP/models/t.safetensors'; echo WSCOPE-EXIT=\$?; sleep 60"
wait_for "tok_emb.weight"
keys Enter
wait_for "matrix: tok_emb.weight"
wait_for "cols 0-15"
keys d
wait_for "dw"
keys e
wait_for "wrote $TMP/models/tok_emb.weight-diff.png, .svg, .pdf"
check grep -q '<title>ΔW of tok_emb.weight: t.safetensors − m.safetensors</title>' "$TMP/models/tok_emb.weight-diff.svg"
check grep -q '>ΔW</text>' "$TMP/models/tok_emb.weight-diff.svg"
keys Q
wait_for "WSCOPE-EXIT=0"

# R in the model view: the report of the open models beside the model, on
# a worker thread, then where it went; the same key again replaces it.
tm kill-session -t w 2>/dev/null
tm new-session -d -s w -x 150 -y 30 -c "$TMP/cwd" \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$WSCOPE' '$TMP/models/m.safetensors' '$TMP/models/t.safetensors'; echo WSCOPE-EXIT=\$?; sleep 60"
wait_for "tok_emb.weight"
keys '?'
wait_for "write the report of the open model(s) beside the model"
keys q R
wait_for "report written: $TMP/models/m-report/index.md" 60   # every analysis with its nulls (TUI_SLOW scales it under the sanitizers)
check test -f "$TMP/models/m-report/.wscope-report"
check test -s "$TMP/models/m-report/tables/drift.json"
check test -s "$TMP/models/m-report/figures/pr-pr.pdf"
check grep -q '^## Drift$' "$TMP/models/m-report/index.md"
# e in a table view: the bar chart of the column under the cursor.
keys L
wait_for "layers: "
wait_for "PR: weight participation ratio"
keys e
wait_for "wrote $TMP/models/layers-pr.png, .svg, .pdf"
check grep -q '>PR by layer: m.safetensors</text>' "$TMP/models/layers-pr.svg"
keys q
touch "$TMP/models/m-report/figures/stale.png"   # gone once the new report is in place
keys R
n=0
while [ -e "$TMP/models/m-report/figures/stale.png" ] && [ $n -lt $((600 * TUI_SLOW)) ]; do sleep 0.1; n=$((n + 1)); done
check test ! -e "$TMP/models/m-report/figures/stale.png"
wait_for "report written: $TMP/models/m-report/index.md" 60   # every analysis with its nulls (TUI_SLOW scales it under the sanitizers)
keys Q
wait_for "WSCOPE-EXIT=0"
check test -z "$(ls -a "$TMP/models" | grep 'wscope-tmp')"

# A read-only model directory: the figures go to the current directory.
if [ "$(id -u)" != 0 ]; then
    chmod a-w "$TMP/models"
    start "$TMP/cwd" "$TMP/models/m.safetensors"
    wait_for "tok_emb.weight"
    keys Enter
    wait_for "matrix: tok_emb.weight"
    wait_for "cols 0-15"
    keys e
    wait_for "wrote ./tok_emb.weight-heatmap.png, .svg, .pdf"
    check is_png "$TMP/cwd/tok_emb.weight-heatmap.png"
    keys Q
    wait_for "WSCOPE-EXIT=0"
fi
check test -z "$(ls "$TMP/models" "$TMP/cwd" | grep '\.tmp\.')"
tui_finish "tui export"
