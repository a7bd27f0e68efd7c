#!/bin/sh
# Every figure kind in every format (PNG, SVG, PDF) from `wscope plot`:
# each file decodes (libpng; xmllint; qpdf and pdfinfo), has the asked size
# and dpi, holds the expected colours and text (SVG text nodes, the PDF's
# text through pdftotext), is byte-identical when written again, and looks
# the same in all three (the SVG drawn by librsvg and the PDF by poppler,
# compared with the PNG). A small PNG of each kind is compared with a
# committed golden image (tests/fixtures/figures/KIND.png) with a small
# pixel tolerance; WS_UPDATE_GOLDENS=1 rewrites the goldens instead.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

for tool in xmllint qpdf pdfinfo pdftotext pdftoppm rsvg-convert; do
    command -v $tool > /dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
P="$B/tests/png_check"
F="$S/tests/fixtures/gpt"
M="$F/ours_untied.safetensors"
M2="$F/ours_tanh.safetensors"
G="$S/tests/fixtures/figures"
R="$S/tests/fixtures/runs"       # two training logs (wscope train --log, trimmed)

# The kinds: NAME|ARGUMENTS|TEXT;TEXT...|COLOURS (hex, any of them present
# in the PNG counts when separated by /; all space-separated ones must be).
kinds() {
    cat <<KINDS
row|$M --tensor tok_emb.weight --row 3|tok_emb.weight row 3;column index;weight|0072b2 222222
col|$M --tensor tok_emb.weight --col 3|tok_emb.weight column 3;row index|0072b2
fit|$M --tensor blocks.0.mlp.0.weight --row 5 --fit 3|row 5, free fit;free 3-Gaussian fit, R²;components;weights|d55e00 6f6f6f
fitgrid|$M --tensor blocks.0.mlp.0.weight --row 5 --fit 3 --mode grid|row 5, grid fit;grid 3-Gaussian fit, R²|d55e00
heatmap|$M --tensor blocks.0.mlp.0.weight --heatmap|blocks.0.mlp.0.weight (128×32);weight;column;row|053061/67001f 222222
diff|$M $M2 --tensor tok_emb.weight --heatmap|ΔW of tok_emb.weight: ours_tanh.safetensors;− ours_untied.safetensors;ΔW|053061/67001f
line1d|$M --tensor blocks.0.ln1.bias --heatmap|blocks.0.ln1.bias (32 values);index|0072b2
hist|$M --tensor tok_emb.weight --hist --bins 30|tok_emb.weight: 2144 values;count|0072b2
spectrum|$M --spectrum|Spectrum of EᵀE, E = tok_emb.weight;eigenvalue λ;index i|0072b2
bars|$M --bars pr:amp_pr|ampPR by layer: ours_untied.safetensors;embed;pos_embed;head;qkv;attn_out;mlp_up;mlp_down;layer|0072b2 d55e00 009e73 e69f00 8c8c8c
drift|$M $M2 --drift|relative by layer: ours_untied.safetensors;layer;relative|0072b2
runbars|$M --bars runs:final_val --runs $R/lr6e-4.csv --runs $R/lr3e-3.csv|final val;lr6e-4.csv;lr3e-3.csv;final val (nats)|0072b2 d55e00
loss|--runs $R/lr6e-4.csv --runs $R/lr3e-3.csv|Training loss of 2 runs;lr6e-4.csv (EMA 0.9);lr3e-3.csv (EMA 0.9);validation;step;loss|0072b2 d55e00 555555
KINDS
}

# The words of a text, for pdftotext (which may break lines and spaces).
words_in() { # FILE TEXT
    for w in $2; do grep -qF -- "$w" "$1" || { echo "  no \"$w\" in $1" >&2; return 1; }; done
}

svg_text() { # FILE TEXT: a <text> node holds TEXT
    grep -F -- "$2" "$1" | grep -q '^<text .*</text>$' || { echo "  no <text> with \"$2\" in $1" >&2; return 1; }
}

colours_in() { # PNG "C1/C2 C3"
    for alt in $2; do
        found=1
        for c in $(echo "$alt" | tr / ' '); do "$P" has "$1" "$c" 2> /dev/null && found=0; done
        [ $found -eq 0 ] || { echo "  no colour $alt in $1" >&2; return 1; }
    done
}

close_to() { # A.png B.png TOL: the same picture, up to antialiasing
    share=$("$P" same "$1" "$2" "$3") || { echo "  $1 vs $2: $share of pixels differ" >&2; return 1; }
}

kinds | while IFS='|' read -r name args texts colours; do
    # shellcheck disable=SC2086  # the arguments split into words
    for ext in png svg pdf; do
        "$W" plot $args -o "$T/$name.$ext" || { echo "FAIL: plot $name.$ext" >&2; echo x >> "$T/failed"; }
        "$W" plot $args -o "$T/$name-again.$ext"
        cmp -s "$T/$name.$ext" "$T/$name-again.$ext" ||
            { echo "FAIL: $name.$ext differs when written again" >&2; echo x >> "$T/failed"; }
    done
    echo "$texts" | tr ';' '\n' > "$T/texts"
    {
        # PNG: decodes, one column at 300 dpi, the expected colours.
        test "$("$P" info "$T/$name.png")" = "1050 700 300" || echo "$name.png: size/dpi $("$P" info "$T/$name.png")"
        colours_in "$T/$name.png" "$colours" || echo "$name.png: colours"
        # SVG: well-formed, 3.5 × 2.333 in, the text as text.
        xmllint --noout "$T/$name.svg" || echo "$name.svg: not XML"
        grep -q 'width="3.5in" height="2.333in" viewBox="0 0 1050 700"' "$T/$name.svg" || echo "$name.svg: size"
        while read -r t; do svg_text "$T/$name.svg" "$t" || echo "$name.svg: text"; done < "$T/texts"
        # PDF: valid, 252 × 168 pt, the text extractable, the font embedded.
        qpdf --check "$T/$name.pdf" > /dev/null 2>&1 || echo "$name.pdf: qpdf --check"
        pdfinfo "$T/$name.pdf" | grep -q 'Page size: *252 x 168 pts' || echo "$name.pdf: page size"
        pdffonts "$T/$name.pdf" | grep -q 'DejaVuSans.*yes yes' || echo "$name.pdf: font not embedded"
        pdftotext "$T/$name.pdf" "$T/$name.txt"
        while read -r t; do words_in "$T/$name.txt" "$t" || echo "$name.pdf: text"; done < "$T/texts"
        # The same look: the SVG and the PDF rendered at 300 dpi against the PNG.
        rsvg-convert -d 300 -p 300 -b white "$T/$name.svg" -o "$T/$name-svg.png"
        close_to "$T/$name-svg.png" "$T/$name.png" 0.02 || echo "$name.svg looks different"
        pdftoppm -r 300 -png -singlefile "$T/$name.pdf" "$T/$name-pdf"
        close_to "$T/$name-pdf.png" "$T/$name.png" 0.02 || echo "$name.pdf looks different"
        # Golden: a small PNG of the kind, pixel for pixel up to antialiasing.
        "$W" plot $args --size 480x320 --dpi 100 -o "$T/$name-small.png"
        if [ "${WS_UPDATE_GOLDENS:-0}" = 1 ]; then
            cp "$T/$name-small.png" "$G/$name.png"
        else
            close_to "$T/$name-small.png" "$G/$name.png" 0.01 || echo "$name: golden differs"
        fi
    } > "$T/problems"
    while read -r p; do echo "FAIL: $p" >&2; echo x >> "$T/failed"; done < "$T/problems"
    echo "$name" >> "$T/done"
done

ok test "$(wc -l < "$T/done")" -eq "$(kinds | wc -l)"
ok test ! -e "$T/failed"
# The figure font is required: without it, a clear error.
WSCOPE_FONT=/nonexistent.ttf "$W" plot "$M" --tensor tok_emb.weight --row 1 -o "$T/x.png" 2> "$T/err"
ok test $? -eq 2
ok grep -q "cannot load the figure font /nonexistent.ttf (install fonts-dejavu-core)" "$T/err"
ok test ! -e "$T/x.png"
finish
