#!/bin/sh
# No output ever replaces an input or a file that is not a regular file:
# training data, logs, a model opened as a directory or an index (and its
# shards), devices, FIFOs, symbolic links; destinations are checked before
# training starts; temporary files of killed runs are cleaned up.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
F="$S/tests/fixtures/train"
H="$S/tests/fixtures/hostile"
M="$T/model.safetensors"
cp "$F/seq_model.safetensors" "$M"
cp "$F/seq.bin" "$T/data.bin"
sum() { cksum < "$1"; }
data_sum=$(sum "$T/data.bin") model_sum=$(sum "$M")
train() { "$W" train "$@" --steps 1 --batch 2 --seq 8 --eval-every 0; }

# 1. Training data and logs are inputs: never replaced, checked before the run.
refuses "data.bin: refusing to overwrite an input file" train "$M" --data "$T/data.bin" --out "$T/data.bin"
refuses "data.bin: refusing to overwrite an input file" train "$M" --data "$T/data.bin" --log "$T/data.bin"
refuses "data.bin: refusing to overwrite an input file" train "$M" --data "$T/data.bin" --out "$T/./data.bin"
ln "$T/data.bin" "$T/hardlink.bin"
refuses "hardlink.bin: refusing to overwrite an input file" train "$M" --data "$T/data.bin" --out "$T/hardlink.bin"
refuses "x.csv: --log and --out name the same file" train "$M" --data "$T/data.bin" --out "$T/x.csv" --log "$T/x.csv"
refuses "x.csv: --log and --out name the same file" train "$M" --data "$T/data.bin" --out "$T/x.csv" --log "$T/../$(basename "$T")/x.csv"
refuses "model.safetensors: refusing to overwrite an input file (the model read" train "$M" --data "$T/data.bin" --log "$M"
ok test "$(sum "$T/data.bin")" = "$data_sum"
ok test "$(sum "$M")" = "$model_sum"
ok test ! -e "$T/x.csv"

# 2. A model opened as a directory or an index: every file it reads is an input.
mkdir "$T/dir"
cp "$M" "$T/dir/model.safetensors"
refuses "refusing to overwrite the input model" train "$T/dir" --data "$T/data.bin" --out "$T/dir/model.safetensors"
cp -r "$H/sharded" "$T/sharded"
shard="$T/sharded/model-00001-of-00002.safetensors"
shard_sum=$(sum "$shard")
for model in "$T/sharded" "$T/sharded/model.safetensors.index.json"; do
    refuses "refusing to overwrite an input file" train "$model" --data "$T/data.bin" --out "$shard"
    refuses "refusing to overwrite an input file" train "$model" --data "$T/data.bin" --out "$shard" --overwrite
    refuses "refusing to overwrite an input file" train "$model" --data "$T/data.bin" \
        --out "$T/sharded/model.safetensors.index.json" --overwrite
done
ok test "$(sum "$shard")" = "$shard_sum"
ok "$W" info --no-stats "$T/sharded" > /dev/null
# --overwrite replaces a model that is one whole file, atomically
train "$T/dir" --data "$T/data.bin" --out "$T/dir/model.safetensors" --overwrite > /dev/null 2>&1
ok test $? -eq 0
ok "$W" info --no-stats "$T/dir/model.safetensors" > /dev/null
ok test "$(sum "$T/dir/model.safetensors")" != "$model_sum"

# 3. Bad destinations are refused before the run, not after it.
: > "$T/file"
refuses "cannot create a file in /nonexistent-wscope-dir: No such file or directory" \
    train "$M" --data "$T/data.bin" --out /nonexistent-wscope-dir/x.safetensors
refuses "cannot create a file in $T/file: not a directory" train "$M" --data "$T/data.bin" --out "$T/file/x.safetensors"
refuses "dir: is a directory: refusing to write over it" train "$M" --data "$T/data.bin" --out "$T/dir"
refuses "cannot create a file in /nonexistent-wscope-dir" train "$M" --data "$T/data.bin" --log /nonexistent-wscope-dir/log.csv
refuses "dir/: names a directory" "$W" init -o "$T/dir/"

# 4. Devices, FIFOs and symbolic links.
mkfifo "$T/fifo"
for cmd in "info $T/fifo" "info --no-stats $T/fifo" "eval $M --data $T/fifo" "train $M --data $T/fifo" \
           "train $M --data $T/data.bin --val-data $T/fifo" "basis $M --corpus $T/fifo" \
           "fit $M --eig $T/fifo" "drift $M $T/fifo" "plot --runs $T/fifo -o $T/r.png" \
           "eval $M --data $T/data.bin --tokenizer $T/fifo"; do
    # shellcheck disable=SC2086
    refuses "fifo: is a FIFO, not a regular file" "$W" $cmd
done
mkdir "$T/fifodir"
mkfifo "$T/fifodir/model.safetensors"
refuses "model.safetensors: is a FIFO, not a regular file" "$W" info "$T/fifodir"
# a FIFO named config.json beside a model is passed over, not read
cp "$M" "$T/fifodir2.safetensors" && mkdir "$T/fifodir2" && mv "$T/fifodir2.safetensors" "$T/fifodir2/model.safetensors"
mkfifo "$T/fifodir2/config.json"
"$B/tests/run_capped" "$T/report" 30 "$W" info --no-stats "$T/fifodir2" > /dev/null 2>&1
ok test $? -eq 0
cp -r "$H/sharded" "$T/fifoshard"
rm "$T/fifoshard/model-00002-of-00002.safetensors"
mkfifo "$T/fifoshard/model-00002-of-00002.safetensors"
refuses "is a FIFO, not a regular file" "$W" info "$T/fifoshard"
# A character device is written in place, never renamed over: the node stays.
"$W" init -o /dev/null
ok test $? -eq 0
ok test -c /dev/null
"$W" init -o /dev/full 2> "$T/err"
ok test $? -ne 0
ok test -c /dev/full
ok grep -q "^wscope: /dev/full: write failed: No space left on device" "$T/err"
"$W" init -o /dev/stdout > "$T/stdout.safetensors"
ok test $? -eq 0
ok "$W" info --no-stats "$T/stdout.safetensors" > /dev/null
# a FIFO with no reader: an error, not a hang
refuses "fifo: cannot write: a FIFO with no reader" "$W" init -o "$T/fifo"
# a symbolic link: its target is replaced, the link stays a link
"$W" init --seed 5 -o "$T/target.safetensors"
ln -s target.safetensors "$T/link.safetensors"
"$W" init --seed 6 -o "$T/link.safetensors"
ok test -L "$T/link.safetensors"
ok cmp -s "$T/link.safetensors" "$T/target.safetensors"
"$W" init --seed 6 -o "$T/seed6.safetensors"
ok cmp -s "$T/seed6.safetensors" "$T/target.safetensors"
ln -s missing.safetensors "$T/dangling.safetensors"
refuses "dangling.safetensors: is a symbolic link to a missing file" "$W" init -o "$T/dangling.safetensors"
# a symbolic link to an input is that input
ln -s data.bin "$T/datalink.bin"
refuses "datalink.bin: refusing to overwrite an input file" train "$M" --data "$T/data.bin" --out "$T/datalink.bin"
ok test "$(sum "$T/data.bin")" = "$data_sum"

# 5. Temporary files: ".NAME.wscope-tmp.PID"; those of dead processes go at the next write.
sh -c 'exit 0' & dead=$!
wait $dead
printf 'half a model' > "$T/.out.safetensors.wscope-tmp.$dead"
printf 'another' > "$T/.other.png.wscope-tmp.$dead-2"
printf 'alive' > "$T/.out.safetensors.wscope-tmp.$$"
printf 'not ours' > "$T/.out.safetensors.wscope-tmp.x1"
"$W" init -o "$T/out.safetensors"
ok test $? -eq 0
ok test ! -e "$T/.out.safetensors.wscope-tmp.$dead"
ok test ! -e "$T/.other.png.wscope-tmp.$dead-2"
ok test -e "$T/.out.safetensors.wscope-tmp.$$"
ok test -e "$T/.out.safetensors.wscope-tmp.x1"
ok test -z "$(ls -A "$T" | grep -v -e "wscope-tmp.$$" -e "wscope-tmp.x1" | grep wscope-tmp)"

finish
