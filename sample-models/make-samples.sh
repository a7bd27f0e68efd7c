#!/bin/sh
# Make the sample models from the committed corpora, deterministically: the
# same commands and seeds give the same bytes on the same machine. `make
# samples` and `make samples-seed` run this; sample-models/README.md has the
# commands as they stand here, the losses and the times they took.
#
# usage: make-samples.sh WSCOPE SRCDIR OUTDIR small|seed [STEPS_SCALE]
#   small  the bundled pair: moby-dick.safetensors (pre-trained from a fresh
#          init on Moby-Dick) and moby-dick-sotu.safetensors (it fine-tuned
#          on State of the Union addresses); then each one's loss on the held
#          out tenth of each corpus, and whether the files equal the
#          committed ones (cmp)
#   seed   the seed-shaped model of the users' notes (8 layers, d 256, 8
#          heads, vocab 15007, block 512, tied) and its fine-tune, the same
#          way: moby-dick-seed.safetensors, moby-dick-seed-sotu.safetensors
#   STEPS_SCALE (a percentage, 100 by default) runs that share of every
#   run's steps, to time a fraction: the models are then not the real ones.
# Every run uses 2 threads (--threads 2), whatever the machine has, so that
# the bytes do not depend on the number of cores.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 WSCOPE SRCDIR OUTDIR small|seed [STEPS_SCALE]" >&2; exit 2; }
W=$1 S=$2 O=$3 WHICH=$4 SCALE=${5:-100}
mkdir -p "$O"
MOBY=$S/moby-dick.txt.gz
SOTU=$S/sotu.txt.gz

steps() { echo $(( ($1 * SCALE + 99) / 100 )); }
now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }

# run NAME COMMAND...: run it, print how long it took and the load around it,
# and (with GNU time) its CPU time: on a shared machine the wall time grows
# with the load, the CPU time much less, and CPU time / 2 is about what 2
# quiet cores would take.
run() {
    name=$1; shift
    echo "== $name: $*"
    l0=$(load); t0=$(now)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "== $name used %U s user + %S s system CPU, peak RSS %M kB" "$@"
    else
        "$@"
    fi
    t1=$(now); l1=$(load)
    echo "== $name took $(awk "BEGIN { printf \"%.0f\", $t1 - $t0 }") s (load average $l0 before, $l1 after)"
}

# loss MODEL DATA BATCH EVAL_BATCHES: the loss on the held-out tenth of DATA
# as the training runs measured it (--val-frac 0.1), from the saved file.
loss() {
    "$W" eval "$1" --data "$2" --val-frac 0.1 --batch "$3" --eval-batches "$4" --threads 2 2>/dev/null |
        sed 's/ *perplexity.*//; s/^loss //'
}

# pair STEM LAYERS D HEADS BLOCK VOCAB STEPS LR SOTU_EVAL_BATCHES: pre-train
# STEM.safetensors from a fresh init on Moby-Dick (every 50 steps the loss
# on all of its held-out tenth), fine-tune it on the State of the Union
# addresses for 300 steps (STEM-sotu.safetensors; validation on the first
# SOTU_EVAL_BATCHES batches of their held-out tenth), each with its log,
# then the saved files' held-out losses.
pair() {
    base=$O/$1.safetensors tuned=$O/$1-sotu.safetensors
    run pre-train "$W" train --init --layers "$2" --d "$3" --heads "$4" --block "$5" --tied \
        --lowercase --vocab "$6" --data "$MOBY" \
        --steps "$(steps "$7")" --batch 16 --lr "$8" --warmup 50 \
        --eval-every 50 --eval-batches 0 --seed 1 --threads 2 \
        --weights-only --dtype f16 --out "$base" --log "$O/$1.csv"
    run fine-tune "$W" train "$base" --data "$SOTU" \
        --steps "$(steps 300)" --batch 16 --lr 3e-4 --warmup 20 \
        --eval-every 50 --eval-batches "$9" --seed 1 --threads 2 \
        --weights-only --out "$tuned" --log "$O/$1-sotu.csv"
    echo "== held-out loss of the saved (F16) files:"
    for f in "$base" "$tuned"; do
        echo "   $(basename "$f")  on Moby-Dick $(loss "$f" "$MOBY" 16 0)  on SOTU $(loss "$f" "$SOTU" 16 "$9")"
    done
    for f in "$base" "$tuned"; do
        f=$(basename "$f")
        if [ "$(cd "$S" && pwd)" = "$(cd "$O" && pwd)" ] || [ ! -f "$S/$f" ]; then
            :
        elif cmp -s "$O/$f" "$S/$f"; then
            echo "== $f: the same bytes as the committed $S/$f"
        else
            echo "== $f: differs from the committed $S/$f"
        fi
    done
}

case $WHICH in
small)
    # The committed pair was made with OpenBLAS's SSE3 kernels ("Prescott",
    # which OpenBLAS 0.3.21 picks on CPUs newer than itself). Other kernel
    # sets round sums differently and give other bytes, and wscope asks for
    # the CPU's best ones (src/blas_core.h) unless this is set, so the pair
    # pins them, at some cost in speed.
    case $(uname -m) in x86_64 | amd64) export OPENBLAS_CORETYPE=Prescott ;; esac
    pair moby-dick 4 128 4 128 4000 1200 1e-3 20
    ;;
seed) pair moby-dick-seed 8 256 8 512 15007 600 6e-4 10 ;;
*)
    echo "$0: small or seed, not \"$WHICH\"" >&2
    exit 2
    ;;
esac
