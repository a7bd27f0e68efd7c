#!/bin/sh
# wscope fit end to end: summary fields in JSON and CSV, tensor patterns,
# grid/free modes, row samples, L2 fields, --rows-out files, bad input.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

"$W" init --layers 1 --d 32 --heads 4 --vocab 40 --block 8 --tied -o "$T/m.safetensors"
M="$T/m.safetensors"

# Default: every 2-D weight matrix (tok_emb, pos_emb, c_attn, c_proj, mlp.0, mlp.2), no biases,
# 32 evenly spaced rows each, with the null baselines (10 draws per family, seed 1).
"$W" fit "$M" --json > "$T/all.json"
ok "$B/tests/json_check" command=fit model="$M" parameters.k=4 parameters.mode=free parameters.rows=32 \
   parameters.null=10 parameters.seed=1 -r tables.fits.rows 0.fitted=32 1.fitted=8 0.r2_null_mean 0.r2_null_std \
   0.r2_z 0.r2_perm_mean 0.r2_perm_std 0.r2_perm_z 0.centre_linearity_z 0.centre_linearity_perm_z < "$T/all.json"
# a random-init model is noise: its R² sits within a few null sds of noise rows'
ok awk 'BEGIN { RS = ","; bad = 0 } /"r2_z"/ { split($0, a, ":"); z = a[2] + 0; if (z > 5 || z < -5) bad = 1 }
        END { exit bad }' "$T/all.json"
"$W" fit "$M" --null 0 --json > "$T/nonull.json"
ok "$B/tests/json_check" parameters.null=0 -r tables.fits.rows 0.r2_z=null 0.r2_perm_mean=null < "$T/nonull.json"
"$W" fit "$M" --seed 2 --json > "$T/seed2.json"
ok sh -c "! cmp -s '$T/all.json' '$T/seed2.json'"
"$W" fit "$M" --rows all --null 0 --json > "$T/allrows.json"
ok "$B/tests/json_check" parameters.rows=all -r tables.fits.rows 0.fitted=40 < "$T/allrows.json"
ok "$B/tests/json_check" command=fit model="$M" parameters.k=4 parameters.mode=free parameters.rows=32 \
   parameters.tensor parameters.all_tensors=false -k fits -r tables.fits.rows 0.name=tok_emb.weight 0.shape.0=40 0.shape.1=32 \
   0.role=embed 0.K=4 0.mode=free 0.r2 0.mse 0.compression 0.centre_linearity 0.nonconverged 0.degenerate \
   5.name=blocks.0.mlp.2.weight 5.role=mlp_down@0 5.layer=0 < "$T/all.json"
# No run-to-run varying column unless asked: the same fit prints the same bytes.
"$W" fit "$M" --json > "$T/again.json"
ok cmp -s "$T/all.json" "$T/again.json"
ok sh -c "! grep -q seconds '$T/all.json'"
"$W" fit "$M" --tensor pos_emb.weight --timing --csv > "$T/t.csv"
ok sh -c "head -1 '$T/t.csv' | grep -q ',seconds$'"
# no bias vector and no layer norm among the fitted matrices (names only:
# the document's model path is a temp path that may contain anything)
ok sh -c "! grep -q '\"name\": \"[^\"]*\\(bias\\|ln\\)' '$T/all.json'"
ok sh -c "! grep -q 'NaN\\|nan' '$T/all.json'"

# The amplitude bound: 2 max|w| by default, a factor or none on request;
# no default fit holds a cancelling pair (status cancelling, counted degenerate).
ok "$B/tests/json_check" parameters.amp_bound=2 < "$T/all.json"
ok "$B/tests/json_check" -r tables.fits.rows 0.degenerate=0 1.degenerate=0 2.degenerate=0 3.degenerate=0 \
   4.degenerate=0 5.degenerate=0 < "$T/all.json"
"$W" fit "$M" --tensor pos_emb.weight --amp-bound none --rows-out "$T/free.csv" --json > "$T/none.json"
ok "$B/tests/json_check" parameters.amp_bound=none < "$T/none.json"
"$W" fit "$M" --tensor pos_emb.weight --amp-bound 0.5 --rows-out "$T/half.csv" > /dev/null
ok awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^A[0-9]/) a[i] = 1; next }
            { for (i in a) if ($i > 0.5 * 0.08 || -$i > 0.5 * 0.08) bad = 1 } END { exit bad }' "$T/half.csv"

# A pattern, K, a sample of rows, L2.
"$W" fit "$M" --tensor 'blocks.0.mlp.0.*' --k 3 --rows 20 --level 2 --json > "$T/l2.json"
ok "$B/tests/json_check" parameters.tensor.0="blocks.0.mlp.0.*" parameters.k=3 parameters.rows=20 parameters.level=2 \
   parameters.g=3 -r tables.fits.rows 0.name=blocks.0.mlp.0.weight 0.shape.0=128 0.shape.1=32 0.fitted=20 \
   0.K=3 0.compression 0.l2_r2_params 0.l2_r2_rows 0.l2_compression < "$T/l2.json"
# compression n/(3K) = 32/9; L2 over the whole matrix, not the 20 rows
# fitted: 128 rows · 32 / (9·K·G) = 4096/81 (shortest float32 forms)
ok sh -c "grep -q '\"compression\": 3.5555556,' '$T/l2.json'"
ok sh -c "grep -q '\"l2_compression\": 50.5679[,}]' '$T/l2.json'"
ok sh -c "! grep -q '\"name\": \"tok' '$T/l2.json'"

# Free fits have 3K parameters per row, the grid K: free R² must be higher.
# (CSV columns: name, role, shape, layer, fitted, K, mode, r2 ...)
free=$("$W" fit "$M" --tensor tok_emb.weight --csv | awk -F, 'NR==2 {print $8}')
grid=$("$W" fit "$M" --tensor tok_emb.weight --csv --mode grid | awk -F, 'NR==2 {print $8}')
ok awk -v f="$free" -v g="$grid" 'BEGIN { exit !(f > g && g > 0 && f < 1) }'

# Any 2-D tensor whatever its name; 1-D tensors are not matrices.
"$W" fit "$M" --tensor 'blocks.0.ln1.weight' > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "selects no 2-D tensor" "$T/err"

# Per-row parameters: CSV (header + one line per row) and JSON, written atomically.
"$W" fit "$M" --tensor 'blocks.0.attn.c_proj.weight' --k 2 --rows-out "$T/rows.csv" > /dev/null
ok test "$(wc -l < "$T/rows.csv")" -eq 33
ok grep -q "^name,row,status,r2,mse,iters,nfev,A0,mu0,sigma0,A1,mu1,sigma1$" "$T/rows.csv"
"$W" fit "$M" --tensor 'pos_emb.weight' --mode grid --rows-out "$T/rows.json" > /dev/null
ok "$B/tests/json_check" command=fit parameters.mode=grid -k rows -r tables.rows.rows 0.name=pos_emb.weight \
   0.row=0 0.status=grid 0.mu0=6.4 0.sigma3=8 7.row=7 < "$T/rows.json"
ok test -z "$(ls "$T" | grep '\.tmp')"

# Eigenvalues of EᵀE (a header line, then one per line): centre_ev_r and its
# p-value for every matrix, also those with more columns (mlp.2: 128; the
# positions rescaled to the row).
{ echo lambda; i=0; while [ $i -lt 32 ]; do echo "$(( (i * 7) % 32 )).5"; i=$((i + 1)); done; } > "$T/eig.csv"
"$W" fit "$M" --eig "$T/eig.csv" --json > "$T/eig.json"
ok "$B/tests/json_check" parameters.eig="$T/eig.csv" -r tables.fits.rows 0.name=tok_emb.weight 0.centre_ev_r \
   0.centre_ev_r_p 0.centre_linearity_p 5.name=blocks.0.mlp.2.weight 5.centre_ev_r 5.centre_ev_r_p < "$T/eig.json"
ok sh -c "! grep -q centre_ev_r '$T/all.json'"
printf '1\n2\nx\n' > "$T/bad.csv"
"$W" fit "$M" --eig "$T/bad.csv" > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "line 3: not a finite number: x" "$T/err"

# The notes' measurements: with every fit; --eig model takes the embedding's
# spectrum; --components one row per matrix and sorted component; --predict
# the predictability (not for mlp.2: its rows are 128 long, d is 32).
"$W" fit "$M" --rows 24 --eig model --components --predict --pred-dims 4 --json > "$T/meas.json"
ok "$B/tests/json_check" parameters.eig=model parameters.predict=true parameters.pred_dims=4 parameters.folds=5 \
   -r tables.fits.rows 0.name=tok_emb.weight 0.centre_slope 0.centre_intercept 0.sigma_mean 0.sigma_cv \
   0.amp_mean 0.amp_cv 0.params=1280 0.params_l1=480 0.sigma_spacing_r 0.sigma_spacing_p 0.amp_sv_r 0.amp_sv_p \
   0.pred_mu_r2 0.pred_sigma_r2 0.pred_amp_r2 0.pred_pc_r2 0.pc_align 0.pc1_align_eig 0.pred_rows=24 \
   0.pred_status=ok 5.name=blocks.0.mlp.2.weight "5.pred_status=rows not of length d" 5.pred_amp_r2=null \
   < "$T/meas.json"
ok "$B/tests/json_check" -r tables.components.rows 0.name=tok_emb.weight 0.k=0 3.k=3 4.name=pos_emb.weight \
   0.mu_mean 0.sigma_mean 0.sigma_cv 0.amp_mean 0.amp_cv 0.amp_abs_mean 0.pred_amp_r2 < "$T/meas.json"
"$W" fit "$M" --predict --mode grid > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "needs --mode free" "$T/err"
"$W" fit "$M" --predict --pred-dims 40 > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "more than the embedding's 32 dimensions" "$T/err"

# --centres linspace: the grid fit on Paper 61's centres, linspace(0, n-1, K) (numbers: test_fit)
"$W" fit "$M" --mode grid --centres linspace --null 0 --tensor mlp_up --rows-out "$T/lin.csv" --json > "$T/lin.json"
ok "$B/tests/json_check" parameters.centres=linspace parameters.mode=grid < "$T/lin.json"
"$W" fit "$M" --mode grid --null 0 --json > "$T/inner.json"
ok "$B/tests/json_check" parameters.centres=inner < "$T/inner.json"
ok awk -F, 'NR == 2 { ok = $9 == 0 && ($12 - 31 / 3) ^ 2 < 1e-12 && $18 == 31 && $10 == 8 } END { exit !ok }' "$T/lin.csv"

# Bad input: one line, exit 2.
for args in "--k 0" "--k 17" "--mode fancy" "--rows 0" "--level 3" "--mode grid --level 2" "--ftol 2" \
            "--null -1" "--null x" "--seed -2" "--centres outer" "--centres linspace" \
            "--amp-bound 0" "--amp-bound -1" "--amp-bound x" "--amp-bound inf" "--folds 1" "--pred-dims 0"; do
  "$W" fit "$M" $args > "$T/out" 2> "$T/err"
  ok test $? -eq 2
  ok test "$(wc -l < "$T/err")" -eq 1
done
"$W" fit "$T/missing.safetensors" > "$T/out" 2> "$T/err"
ok test $? -eq 2
ok grep -q "^wscope: $T/missing.safetensors: " "$T/err"

finish
