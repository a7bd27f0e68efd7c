#!/bin/sh
# wscope fit end to end: summary fields in JSON and CSV, tensor patterns,
# grid/free modes, row samples, L2 fields, --rows-out files, bad input.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

"$W" init --layers 1 --d 32 --heads 4 --vocab 40 --block 8 --tied -o "$T/m.safetensors"
M="$T/m.safetensors"

# Default: every 2-D weight matrix (tok_emb, pos_emb, c_attn, c_proj, mlp.0, mlp.2), no biases.
"$W" fit "$M" --json > "$T/all.json"
ok "$B/tests/json_check" 0.tensor=tok_emb.weight 0.rows=40 0.cols=32 0.K=4 0.mode=free 0.r2 0.mse \
   0.compression 0.centre_linearity 0.nonconverged 0.degenerate 5.tensor=blocks.0.mlp.2.weight < "$T/all.json"
ok sh -c "! grep -q '\"bias\\|ln' '$T/all.json'"
ok sh -c "! grep -q 'NaN\\|nan' '$T/all.json'"

# A pattern, K, a sample of rows, L2.
"$W" fit "$M" --tensor 'blocks.0.mlp.0.*' --k 3 --rows 20 --level 2 --json > "$T/l2.json"
ok "$B/tests/json_check" 0.tensor=blocks.0.mlp.0.weight 0.rows=128 0.cols=32 0.fitted=20 0.K=3 \
   0.compression 0.l2_r2_params 0.l2_r2_rows 0.l2_compression < "$T/l2.json"
# compression n/(3K) = 32/9; L2: 20 rows · 32 / (3K · 3G) = 640/81
ok sh -c "grep -q '\"compression\": 3.5555555555555' '$T/l2.json'"
ok sh -c "grep -q '\"l2_compression\": 7.901234567901' '$T/l2.json'"
ok sh -c "! grep -q '\"tensor\": \"tok' '$T/l2.json'"

# Free fits have 3K parameters per row, the grid K: free R² must be higher.
free=$("$W" fit "$M" --tensor tok_emb.weight --csv | awk -F, 'NR==2 {print $7}')
grid=$("$W" fit "$M" --tensor tok_emb.weight --csv --mode grid | awk -F, 'NR==2 {print $7}')
ok awk -v f="$free" -v g="$grid" 'BEGIN { exit !(f > g && g > 0 && f < 1) }'

# Any 2-D tensor whatever its name; 1-D tensors are not matrices.
"$W" fit "$M" --tensor 'blocks.0.ln1.weight' > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "selects no 2-D tensor" "$T/err"

# Per-row parameters: CSV (header + one line per row) and JSON, written atomically.
"$W" fit "$M" --tensor 'blocks.0.attn.c_proj.weight' --k 2 --rows-out "$T/rows.csv" > /dev/null
ok test "$(wc -l < "$T/rows.csv")" -eq 33
ok grep -q "^tensor,row,status,r2,mse,iters,nfev,A0,mu0,sigma0,A1,mu1,sigma1$" "$T/rows.csv"
"$W" fit "$M" --tensor 'pos_emb.weight' --mode grid --rows-out "$T/rows.json" > /dev/null
ok "$B/tests/json_check" 0.tensor=pos_emb.weight 0.row=0 0.status=grid 0.mu0=6.4 0.sigma3=8 7.row=7 < "$T/rows.json"
ok test -z "$(ls "$T" | grep '\.tmp')"

# Eigenvalues of EᵀE (a header line, then one per line): centre_ev_r for the
# matrices with as many columns (32), null for the others (mlp.2: 128).
{ echo lambda; i=0; while [ $i -lt 32 ]; do echo "$(( (i * 7) % 32 )).5"; i=$((i + 1)); done; } > "$T/eig.csv"
"$W" fit "$M" --eig "$T/eig.csv" --json > "$T/eig.json"
ok "$B/tests/json_check" 0.tensor=tok_emb.weight 0.centre_ev_r 5.tensor=blocks.0.mlp.2.weight 5.centre_ev_r=null < "$T/eig.json"
ok sh -c "! grep -q centre_ev_r '$T/all.json'"
printf '1\n2\nx\n' > "$T/bad.csv"
"$W" fit "$M" --eig "$T/bad.csv" > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "line 3: not a finite number: x" "$T/err"

# Bad input: one line, exit 2.
for args in "--k 0" "--k 17" "--mode fancy" "--rows 0" "--level 3" "--mode grid --level 2" "--ftol 2"; do
  "$W" fit "$M" $args > "$T/out" 2> "$T/err"
  ok test $? -eq 2
  ok test "$(wc -l < "$T/err")" -eq 1
done
"$W" fit "$T/missing.safetensors" > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "^wscope: $T/missing.safetensors: " "$T/err"

finish
