#!/bin/sh
# wscope plot end to end: each kind of figure, the figure options (size,
# dpi, colour map and range, aspect), and the errors (one line, exit 2):
# unknown tensor, row out of range, bad size or option, unknown format,
# missing directory, writing over the model. figure_formats.sh checks
# every kind in every format against golden images.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

M="$T/m.safetensors"
"$W" init --layers 1 --d 16 --heads 2 --vocab 40 --block 8 --seed 3 -o "$M"
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
is_svg() { head -2 "$1" | grep -q '<svg ' && tail -1 "$1" | grep -q '^</svg>$'; }

E=tok_emb.weight
"$W" plot "$M" --tensor $E --row 5 -o "$T/row.png"; ok test $? -eq 0
ok is_png "$T/row.png"
"$W" plot "$M" --tensor $E --row 5 --title 'Row <5> & more' -o "$T/row.svg"; ok test $? -eq 0
ok is_svg "$T/row.svg"
ok grep -q '>Row &lt;5&gt; &amp; more</text>' "$T/row.svg"
ok grep -q '>column index</text>' "$T/row.svg"
"$W" plot "$M" --tensor $E --col 3 -o "$T/col.svg"; ok test $? -eq 0
ok grep -q '>row index</text>' "$T/col.svg"
ok grep -q '>tok_emb.weight column 3</text>' "$T/col.svg"
"$W" plot "$M" --tensor $E --heatmap --size 640x480 -o "$T/heat.svg"; ok test $? -eq 0
ok grep -q 'width="2.133in" height="1.6in" viewBox="0 0 640 480"' "$T/heat.svg"
ok grep -q '>tok_emb.weight (40×16)</text>' "$T/heat.svg"
"$W" plot "$M" --tensor $E --heatmap -o "$T/heat.PNG"; ok test $? -eq 0
ok is_png "$T/heat.PNG"
"$W" plot "$M" --tensor $E --hist --bins 20 --logy -o "$T/hist.svg"; ok test $? -eq 0
ok grep -q '>count</text>' "$T/hist.svg"
ok test "$(grep -c 'fill="#0072b2"' "$T/hist.svg")" -le 20

"$W" plot "$M" --tensor blocks.0.mlp.0.weight --row 2 --fit 3 -o "$T/fit.svg"; ok test $? -eq 0
ok grep -q '>free 3-Gaussian fit, R² = [0-9.-]*</text>' "$T/fit.svg"
ok grep -q '>blocks.0.mlp.0.weight row 2, free fit</text>' "$T/fit.svg"
ok test "$(grep -c 'stroke-dasharray' "$T/fit.svg")" -ge 3
"$W" plot "$M" --tensor blocks.0.mlp.0.weight --row 2 --fit 4 --mode grid -o "$T/fitg.png"
ok test $? -eq 0
ok is_png "$T/fitg.png"
"$W" plot "$M" --spectrum --tol 0.05 -o "$T/spec.svg"; ok test $? -eq 0
ok grep -q '>Spectrum of EᵀE, E = tok_emb.weight</text>' "$T/spec.svg"
ok grep -q '>eigenvalue λ</text>' "$T/spec.svg"

# The figure options: size in inches at the dpi, the dpi in the PNG, PDF by
# the extension, colour maps and ranges.
"$W" plot "$M" --tensor $E --row 5 --size 2x1.5in --dpi 150 -o "$T/in.png"; ok test $? -eq 0
ok test "$("$B/tests/png_check" info "$T/in.png")" = "300 225 150"
"$W" plot "$M" --tensor $E --row 5 -o "$T/def.png"; ok test $? -eq 0
ok test "$("$B/tests/png_check" info "$T/def.png")" = "1050 700 300"   # one column, 300 dpi
"$W" plot "$M" --tensor $E --row 5 -o "$T/row.pdf"; ok test $? -eq 0
ok test "$(head -c 5 "$T/row.pdf")" = "%PDF-"
"$W" plot "$M" --tensor $E --heatmap --cmap sequential -o "$T/seq.svg"; ok test $? -eq 0
ok grep -q 'offset="0.0000" stop-color="#fce725"' "$T/seq.svg"   # viridis: yellow on top
ok grep -q 'offset="1.0000" stop-color="#440255"' "$T/seq.svg"   # purple below
"$W" plot "$M" --tensor $E --heatmap --vmin -0.01 --vmax 0.01 -o "$T/rng.svg"; ok test $? -eq 0
ok grep -q '>0.010</text>' "$T/rng.svg"
ok grep -q '>−0.010</text>' "$T/rng.svg"
"$W" plot "$M" --tensor $E --heatmap --clip p99 --aspect equal --cmap gray -o "$T/clip.svg"
ok test $? -eq 0
ok grep -q 'stop-color="#ffffff"' "$T/clip.svg"
# A 1-D tensor as a line, not a one-row heatmap.
"$W" plot "$M" --tensor blocks.0.ln1.weight --heatmap -o "$T/ln.svg"; ok test $? -eq 0
ok grep -q '<polyline' "$T/ln.svg"
ok test "$(grep -c 'xlink:href\|crispEdges' "$T/ln.svg")" -eq 0
ok grep -q '>blocks.0.ln1.weight (16 values)</text>' "$T/ln.svg"

# --data: the plotted numbers beside the picture.
"$W" plot "$M" --tensor $E --row 5 -o "$T/d.svg" --data "$T/d.csv"; ok test $? -eq 0
ok test "$(head -1 "$T/d.csv")" = "series,x,y"
ok test "$(wc -l < "$T/d.csv")" -eq 17
ok grep -q '^series 0,15,' "$T/d.csv"
"$W" plot "$M" --tensor $E --heatmap -o "$T/d.png" --data "$T/d.json"; ok test $? -eq 0
ok "$B/tests/json_check" command=plot model="$M" -r tables.data.rows 0.row=0 0.col=0 639.row=39 639.col=15 639.value < "$T/d.json"
"$W" plot "$M" --tensor $E --row 5 -o "$T/d2.png" --data "$T/no/dir/d.csv" 2> "$T/err"
ok test $? -eq 2
ok grep -q "^wscope: $T/no/dir/d.csv: " "$T/err"

# Loss curves from training logs (figure_formats.sh checks the picture).
R="${WS_SRCDIR:-.}/tests/fixtures/runs"
"$W" plot --runs "$R/lr6e-4.csv" --runs "$R/lr3e-3.csv" --smooth 0 -o "$T/loss.svg" --data "$T/loss.csv"
ok test $? -eq 0
ok grep -q '>lr6e-4.csv</text>' "$T/loss.svg"          # no smoothing: no "(EMA w)"
ok test "$(grep -c '^lr3e-3.csv,' "$T/loss.csv")" -eq 60    # one line of 60 steps
ok test "$(wc -l < "$T/loss.csv")" -eq $((1 + 2 * 60 + 2 * 4))   # no faint raw line under it
printf 'step,val_loss\n0,5\n10,4.5\n' > "$T/val.csv"   # an outside trainer's log
"$W" plot --runs "$T/val.csv" -o "$T/val.svg"; ok test $? -eq 0
ok grep -q '>val.csv</text>' "$T/val.svg"

# Bar charts of an analysis's column, computed on the spot.
"$W" plot "$M" --bars pr:pr -o "$T/bars.svg"; ok test $? -eq 0
ok grep -q '>PR by layer: m.safetensors</text>' "$T/bars.svg"
ok grep -q '>qkv</text>' "$T/bars.svg"
"$W" init --layers 1 --d 16 --heads 2 --vocab 40 --block 8 --seed 4 -o "$T/m2.safetensors"
"$W" plot "$M" "$T/m2.safetensors" --drift -o "$T/drift.svg" --data "$T/drift.csv"; ok test $? -eq 0
ok grep -q '>relative by layer: m.safetensors</text>' "$T/drift.svg"
"$W" drift "$M" "$T/m2.safetensors" --csv | awk -F, '$1 == "layer 0" { print $7 }' > "$T/want"
ok test "$(awk -F, 'NR == 2 { print $3 }' "$T/drift.csv")" = "$(cat "$T/want")"   # the drift table's number

# Every SVG is well-formed XML (when xmllint is there to say so).
if command -v xmllint > /dev/null; then
  for f in "$T"/*.svg; do ok xmllint --noout "$f"; done
fi

# Errors: one line on stderr naming the problem, exit 2, no file written.
bad() { msg=$1; shift; refuses "$msg" "$W" plot "$@"; }   # expected-message args...
bad "no tensor named nope" "$M" --tensor nope --row 0 -o "$T/x.png"
bad "a figure draws one tensor; given $E and $E" "$M" --tensor $E --tensor $E --row 0 -o "$T/x.png"
bad "row 40 is outside 0..39" "$M" --tensor $E --row 40 -o "$T/x.png"
bad "column 16 is outside 0..15" "$M" --tensor $E --col 16 -o "$T/x.png"
bad "figure size 10x10" "$M" --tensor $E --row 0 --size 10x10 -o "$T/x.png"
bad "not a size like 800x500 (pixels) or 3.5x2.5in: big" "$M" --tensor $E --row 0 --size big -o "$T/x.png"
bad "not a size like" "$M" --tensor $E --row 0 --size 3.5x2cm -o "$T/x.png"
bad "figure size 30000x600 pixels" "$M" --tensor $E --row 0 --size 100x2in -o "$T/x.png"
bad "expected an integer from 36 to 2400" "$M" --tensor $E --row 0 --dpi 5 -o "$T/x.png"
bad "unknown colour map jet (one of diverging, sequential, rdbu, viridis, gray)" "$M" --tensor $E --heatmap --cmap jet -o "$T/x.png"
bad "a percentile in (50, 100]" "$M" --tensor $E --heatmap --clip 30 -o "$T/x.png"
bad "must be above --vmin" "$M" --tensor $E --heatmap --vmin 1 --vmax 0 -o "$T/x.png"
bad "expected a finite number" "$M" --tensor $E --heatmap --vmax nan -o "$T/x.png"
bad "equal or auto, not square" "$M" --tensor $E --heatmap --aspect square -o "$T/x.png"
bad "too small for its labels at 2400 dpi" "$M" --tensor $E --row 0 --dpi 2400 --size 400x300 -o "$T/x.png"
bad "unknown figure format" "$M" --tensor $E --row 0 -o "$T/x.jpg"
bad "$T/no/such/dir/x.png: cannot create" "$M" --tensor $E --row 0 -o "$T/no/such/dir/x.png"
bad "choose one of" "$M" --tensor $E --row 0 --hist -o "$T/x.png"
bad "plot: choose one of --row, --col, --heatmap, --hist, --spectrum, --runs, --bars, --drift (see wscope plot --help)" "$M" --tensor $E -o "$T/x.png"
bad "fits are drawn over a --row" "$M" --tensor $E --col 1 --fit 2 -o "$T/x.png"
bad "free or grid, not best" "$M" --tensor $E --row 1 --fit 2 --mode best -o "$T/x.png"
bad "plot: --runs takes no MODEL and no --tensor" "$M" --runs "$R/lr6e-4.csv" -o "$T/x.png"
bad "no analysis named foo (one of fits, spectrum, energy, pr, drift, basis, runs)" "$M" --bars foo:x -o "$T/x.png"
bad "the layers table has no column nope" "$M" --bars pr:nope -o "$T/x.png"
bad "NAME:COLUMN, like pr:amp_pr" "$M" --bars pr -o "$T/x.png"
bad "drift: give a TUNED model" "$M" --drift -o "$T/x.png"
bad "runs: give training logs with --runs" "$M" --bars runs:final_val -o "$T/x.png"
bad "goes with --bars" "$M" --tensor $E --row 1 --corpus "$R/lr6e-4.csv" -o "$T/x.png"
bad "an EMA weight in \[0, 0.999\], got 1" --runs "$R/lr6e-4.csv" --smooth 1 -o "$T/x.png"
printf 'step,loss\n0,x\n' > "$T/bad.csv"
bad "$T/bad.csv: line 2" --runs "$T/bad.csv" -o "$T/x.png"
bad "choose one of" "$M" --tensor $E --row 0 --runs "$R/lr6e-4.csv" -o "$T/x.png"
bad "no token embedding" "${WS_SRCDIR:-.}/tests/fixtures/ref_numpy.safetensors" --spectrum -o "$T/x.png"
ok test ! -e "$T/x.png"

# Never over the model it reads, whatever the extension says.
cp "$M" "$T/model.png"
cp "$M" "$T/orig"
bad "refusing to overwrite an input file" "$T/model.png" --tensor $E --row 0 -o "$T/model.png"
ok cmp -s "$T/model.png" "$T/orig"
ok test -z "$(ls "$T" | grep '\.tmp\.')"

finish
