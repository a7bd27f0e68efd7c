#!/bin/sh
# wscope spectrum / pr / drift / basis end to end: JSON and CSV shapes,
# identical models drift 0 with cosine 1, mismatched models and bad
# arguments give one line and exit 2.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"

"$W" init --layers 2 --d 16 --heads 4 --vocab 40 --block 8 --seed 1 -o "$T/a.safetensors"
"$W" init --layers 2 --d 16 --heads 4 --vocab 40 --block 8 --seed 2 -o "$T/b.safetensors"
"$W" init --layers 3 --d 16 --heads 4 --vocab 40 --block 8 --seed 1 -o "$T/c.safetensors"
"$W" init --layers 2 --d 32 --heads 4 --vocab 40 --block 8 --seed 1 -o "$T/d.safetensors"

# spectrum: 16 eigenvalues, descending, decay starts at 1.
"$W" spectrum "$T/a.safetensors" --json > "$T/s.json"
ok "$J" command=spectrum model="$T/a.safetensors" parameters.rule=spacing parameters.alpha=0.01 parameters.top=null \
   parameters.energy=false parameters.embedding=tok_emb.weight -k eigenvalues \
   -r tables.eigenvalues.rows 0.i=0 0.decay=1 15.i=15 0.lambda 0.sv 0.pair < "$T/s.json"
ok sh -c "! '$J' tables.eigenvalues.rows.16.i < '$T/s.json' 2>/dev/null"
ok "$J" tables.pairs.description tables.pairs.rows < "$T/s.json"
"$W" spectrum "$T/a.safetensors" --csv > "$T/s.csv"
ok test "$(head -1 "$T/s.csv")" = "i,lambda,sv,decay,spacing,gap_p,pair,pair_gap"
ok test "$(wc -l < "$T/s.csv")" -eq 17
"$W" spectrum "$T/a.safetensors" --top 3 > "$T/s.txt"
ok grep -q "16 eigenvalues of EᵀE" "$T/s.txt"
"$W" spectrum "$T/a.safetensors" --energy --json > "$T/e.json"
ok "$J" parameters.energy=true -k energy -r tables.energy.rows 0.name=tok_emb.weight 0.projected=rows \
   0.comps50 0.comps90 0.status=ok < "$T/e.json"
ok grep -q '"name": "blocks.0.mlp.2.weight", "role": "mlp_down@0", "shape": \[16, 64\], "layer": 0, "projected": "columns"' "$T/e.json"
refuses "--tol" "$W" spectrum "$T/a.safetensors" --tol 2
refuses "--alpha" "$W" spectrum "$T/a.safetensors" --alpha 0
refuses "give one" "$W" spectrum "$T/a.safetensors" --alpha 0.05 --tol 0.01
# Pairs by level spacing: the two planted exact pairs and nothing else; 40
# tokens on 16 columns leave no null space, 8 tokens on 16 leave 8 cut.
P="$S/tests/fixtures/planted_pair.safetensors"
"$W" spectrum "$P" --json > "$T/pp.json"
ok "$J" -k eigenvalues -k pairs -r tables.eigenvalues.rows 3.pair=3-4 4.pair=3-4 10.pair=10-11 11.pair=10-11 "2.pair=null" \
   "5.pair=null" -r tables.pairs.rows 0.i=3 0.j=4 0.p 1.i=10 1.gap < "$T/pp.json"
ok sh -c "! '$J' tables.pairs.rows.2 < '$T/pp.json' 2>/dev/null"
ok test "$(grep -c '"pair": "' "$T/pp.json")" -eq 4
"$W" spectrum "$P" > "$T/pp.txt"
ok grep -q "32 eigenvalues of EᵀE, 2 pairs (p ≤ 0.01, Bonferroni over 31 gaps)" "$T/pp.txt"
"$W" spectrum "$T/a.safetensors" > "$T/s0.txt"
ok grep -q "0 pairs (p ≤ 0.01, Bonferroni over 15 gaps)" "$T/s0.txt"
"$W" spectrum "$T/a.safetensors" --tol 0.5 > "$T/s1.txt"
ok grep -q "pairs (tol 0.5)" "$T/s1.txt"
"$W" init --layers 1 --d 16 --heads 4 --vocab 8 --block 8 --seed 1 -o "$T/short.safetensors"
"$W" spectrum "$T/short.safetensors" --csv > "$T/short.csv"
ok test "$(grep -c ',null space,' "$T/short.csv")" -eq 8
"$W" spectrum "$T/short.safetensors" > "$T/short.txt"
ok grep -q "8 eigenvalues in the numerical null space (rank 8): no spacing test" "$T/short.txt"

# pr: one row per matrix plus the global amplitude row.
"$W" pr "$T/a.safetensors" --json > "$T/p.json"
ok "$J" command=pr parameters.centred=true parameters.k=8 parameters.amp=true -k layers -r tables.layers.rows \
   0.name=tok_emb.weight 0.pr 0.pc1_pct 0.comps95 0.stable_rank 0.amp_pr 0.amp_kurtosis \
   0.status=ok "11.name=(all layers)" 11.amp_pr 11.pr=null < "$T/p.json"
"$W" pr "$T/a.safetensors" --uncentred --no-amp --csv > "$T/p.csv"
ok test "$(wc -l < "$T/p.csv")" -eq 12
ok grep -q "^blocks.1.mlp.2.weight,mlp_down@1,16x64,1," "$T/p.csv"
refuses "--k" "$W" pr "$T/a.safetensors" --k 0
# The ESD and the null baselines of every statistic, both families; the
# global amplitude row has the amplitude nulls only; --null 0 none.
ok "$J" parameters.null=10 parameters.seed=1 -r tables.layers.rows 1.alpha 1.alpha_hat 1.spikes \
   1.log_spectral_norm 1.stable_rank_fro 1.mp_edge 1.pr_mp 1.pc1_mp_pct 1.amp_max_corr_p \
   1.pr_null_mean 1.pr_null_std 1.pr_z 1.pr_perm_mean 1.pr_perm_std 1.pr_perm_z 1.pc1_pct_z 1.comps95_perm_z \
   1.stable_rank_z 1.alpha_z 1.alpha_hat_perm_z 1.spikes_null_mean 1.amp_pr_z 1.amp_pr_perm_z \
   1.amp_kurtosis_z 11.amp_pr_z 11.amp_max_corr_perm_z 11.pr_z=null 11.alpha=null < "$T/p.json"
"$W" pr "$T/a.safetensors" --null 0 --seed 9 --json > "$T/p0.json"
ok "$J" parameters.null=0 parameters.seed=9 -r tables.layers.rows 1.pr 1.pr_z=null 1.amp_pr_perm_mean=null < "$T/p0.json"
"$W" pr "$T/a.safetensors" --null 3 --seed 2 --json > "$T/p3a.json"
"$W" pr "$T/a.safetensors" --null 3 --seed 2 --json > "$T/p3b.json"
ok cmp -s "$T/p3a.json" "$T/p3b.json"                 # seeded: the same numbers again
"$W" pr "$T/a.safetensors" > "$T/p.txt"
ok grep -q "vs noise: z against 10 draws of Gaussian noise" "$T/p.txt"
ok grep -q " pr_z .* alpha .* amp_pr_z " "$T/p.txt"
refuses "--null" "$W" pr "$T/a.safetensors" --null 10001
# --centres linspace: the amplitudes on Paper 61's grid (the amplitude
# numbers change, the weight spectrum's do not; the grid itself is checked
# against numpy in test_fit)
"$W" pr "$T/a.safetensors" --null 0 --centres linspace --json > "$T/plin.json"
ok "$J" parameters.centres=linspace -r tables.layers.rows 1.amp_pr 1.pr < "$T/plin.json"
ok "$J" parameters.centres=inner < "$T/p0.json"
ok test "$(grep -o '"pr": [0-9.e+-]*' "$T/plin.json")" = "$(grep -o '"pr": [0-9.e+-]*' "$T/p0.json")"
ok sh -c "! test \"\$(grep -o '\"amp_pr\": [0-9.e+-]*' '$T/plin.json')\" = \"\$(grep -o '\"amp_pr\": [0-9.e+-]*' '$T/p0.json')\""
refuses "--centres must be inner or linspace" "$W" pr "$T/a.safetensors" --centres outer
# spectrum --energy: its nulls; --null without --energy says so.
"$W" spectrum "$T/a.safetensors" --energy --null 4 --json > "$T/en.json"
ok "$J" parameters.null=4 -r tables.energy.rows 2.comps50_z 2.comps90_perm_z 2.comps90_null_mean < "$T/en.json"
refuses "give --energy" "$W" spectrum "$T/a.safetensors" --null 4
# Paper 56: the embedding's component energies are its eigenvalues (r = 1);
# --components gives every energy (numbers: test_spectrum against scipy)
ok "$J" -r tables.energy.rows 0.name=tok_emb.weight 0.energy_ev_r=1 1.energy_ev_r 1.energy_ev_p < "$T/en.json"
ok awk 'BEGIN { RS = "," } /"energy_ev_p"/ { split($0, a, ":"); n++; if (n == 1) p = a[2] + 0 } END { exit !(n > 1 && p < 1e-30) }' "$T/en.json"
"$W" spectrum "$T/a.safetensors" --energy --components --null 0 --csv > "$T/comp.csv"
ok test "$(head -1 "$T/comp.csv")" = "name,role,shape,layer,i,lambda,energy,share"
ok awk -F, '$1 == "tok_emb.weight" { n++; if (($6 - $7) ^ 2 > 1e-18 * $6 ^ 2) bad = 1; s += $8 } END { exit !(n == 16 && !bad && (s - 1) ^ 2 < 1e-12) }' "$T/comp.csv"
refuses "give it" "$W" spectrum "$T/a.safetensors" --components

# drift: identical models, then two seeds.
"$W" drift "$T/a.safetensors" "$T/a.safetensors" --json > "$T/d0.json"
ok "$J" command=drift model="$T/a.safetensors" tuned="$T/a.safetensors" parameters.all_tensors=false \
   -k drift -r tables.drift.rows 0.name=tok_emb.weight 0.rms=0 0.relative=0 0.cosine=1 0.kind=tensor \
   "31.name=(model)" 31.mean_cos=1 -r tables.unmatched 'rows' < "$T/d0.json"
ok grep -q '"name": "layer 1", "role": "@1", "shape": null, "layer": 1, "kind": "layer", "rms": 0' "$T/d0.json"
"$W" drift "$T/a.safetensors" "$T/b.safetensors" --csv > "$T/d1.csv"
ok grep -q '^(model),,,,model,0\.0' "$T/d1.csv"
# A layer more, or another width: notes, and what corresponds is compared.
"$W" drift "$T/a.safetensors" "$T/c.safetensors" > "$T/out" 2> "$T/err"
ok test $? -eq 0
ok grep -q "12 tensors only in TUNED: blocks.2.ln1.weight, blocks.2.ln1.bias" "$T/err"
"$W" drift "$T/a.safetensors" "$T/c.safetensors" --json > "$T/dc.json"
ok "$J" -k unmatched -r tables.unmatched.rows 0.name=blocks.2.ln1.weight 0.in=tuned 0.kind=network \
   11.in=tuned < "$T/dc.json"
"$W" drift "$T/a.safetensors" "$T/d.safetensors" > "$T/out" 2> "$T/err"
ok test $? -eq 0
ok grep -q "^tok_emb.weight .* shape 40x16 vs 40x32" "$T/out"
refuses "drift: give BASE and TUNED (see wscope drift --help)" "$W" drift "$T/a.safetensors"

# basis: the whole basis keeps everything.
"$W" basis "$T/a.safetensors" --k 16 --json > "$T/b.json"
ok "$J" command=basis parameters.k=16 parameters.corpus=null -k basis tables.basis.rows.0.name=tok_emb.weight \
   tables.basis.rows.0.share=1 < "$T/b.json"
# The default K (32) is at most d; a K asked for is not cut.
"$W" basis "$T/a.safetensors" --json > "$T/b32.json"
ok "$J" command=basis parameters.k=16 < "$T/b32.json"
"$W" basis "$T/a.safetensors" --k 32 --json > "$T/b32.json" 2> "$T/err"
ok test $? -eq 2
ok grep -q "more than d_model 16" "$T/err"
"$W" basis "$T/a.safetensors" --k 4 --csv > "$T/b.csv"
ok test "$(head -1 "$T/b.csv")" = "name,role,shape,layer,projected,share,share_null_mean,share_null_std,share_z,share_perm_mean,share_perm_std,share_perm_z,status"

# basis --corpus: a text through the model's own tokenizer (a model made by
# train --init carries one), a nanoGPT .bin of token ids, and the errors.
printf 'the cat sat on the mat . the dog sat on the log . a cat and a dog .\n' > "$T/c.txt"
"$W" train --init --layers 2 --d 16 --heads 2 --block 8 --data "$T/c.txt" --steps 1 --batch 1 \
  --seq 4 --out "$T/tok.safetensors" > /dev/null 2>&1
"$W" basis "$T/tok.safetensors" --k 4 --corpus "$T/c.txt" --json > "$T/bc.json"
ok "$J" parameters.corpus="$T/c.txt" -k basis -r tables.basis.rows 2.role=qkv@0 2.qk_ete_cos 6.role=qkv@1 \
   6.qk_ete_cos 0.qk_ete_cos=null < "$T/bc.json"
printf '\001\000\002\000\003\000\001\000\002\000\005\000' > "$T/c.bin"
"$W" basis "$T/a.safetensors" --k 4 --corpus "$T/c.bin" --csv > "$T/bb.csv"
ok grep -q "^blocks.1.attn.c_attn.weight,qkv@1,48x16,1,rows,0\.[0-9]*,[-0-9.e,]*,ok$" "$T/bb.csv"
ok test "$(grep -c ',qk_ete_cos,qk_ete_cos_p,qk_ete_cos_null_mean,' "$T/bb.csv")" -eq 1
# The nulls and the corpus table: pooled share beside K/d, prediction R².
"$W" basis "$T/a.safetensors" --k 4 --corpus "$T/c.bin" --null 5 --seed 3 --json > "$T/bn.json"
ok "$J" parameters.null=5 parameters.seed=3 -r tables.basis.rows 2.qk_ete_cos 2.qk_ete_cos_p 2.q_align \
   2.q_align_z 2.q_align_perm_z 2.share_z 2.share_perm_mean 0.qk_ete_cos=null < "$T/bn.json"
ok "$J" -r tables.corpus.rows 0.pooled_share 0.isotropic=0.25 0.pooled_share_z 0.sym_pr 0.direct_r2 \
   0.random_r2 0.blocks=24 < "$T/bn.json"
"$W" basis "$T/a.safetensors" --k 4 --null 0 --json > "$T/b0.json"
ok "$J" parameters.null=0 -r tables.basis.rows 1.share 1.share_z=null 1.share_null_mean=null < "$T/b0.json"
refuses "--null" "$W" basis "$T/a.safetensors" --k 4 --null -1
refuses "--seed" "$W" basis "$T/a.safetensors" --k 4 --seed x
refuses "no tokenizer" "$W" basis "$T/a.safetensors" --k 4 --corpus "$T/c.txt"
printf '\001\000\377\000' > "$T/big.bin"
refuses "$T/big.bin" "$W" basis "$T/a.safetensors" --k 4 --corpus "$T/big.bin"
refuses "$T/nothere.txt" "$W" basis "$T/tok.safetensors" --k 4 --corpus "$T/nothere.txt"

# Bad files.
printf 'junk' > "$T/junk.safetensors"
for cmd in spectrum pr basis; do
  refuses "^wscope: $T/missing.safetensors: " "$W" $cmd "$T/missing.safetensors"
  refuses "^wscope: $T/junk.safetensors: " "$W" $cmd "$T/junk.safetensors"
done

finish
