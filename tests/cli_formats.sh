#!/bin/sh
# wscope info on .pt / ckpt.pt / .npy end to end: the nanoGPT config from
# model_args, and refused files (code-running pickles, legacy, TorchScript)
# as one line on stderr, exit 2, nothing run.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
F="$S/tests/fixtures/formats"

"$W" info "$F/ckpt.pt" > "$T/info.txt"
ok test $? -eq 0
ok grep -q "layout: nanoGPT" "$T/info.txt"
ok grep -q "n_layer=1 n_head=2 n_embd=8 vocab_size=11 block_size=6 tied=yes bias=yes" "$T/info.txt"
"$W" info "$F/ckpt_compiled.pt" --json --no-stats > "$T/info.json"
ok "$B/tests/json_check" config.n_head=2 config.tied=true < "$T/info.json"
"$W" info "$F/arr_f4.npy" > "$T/npy.txt"
ok grep -q "^arr_f4 .*3x5 .*F32" "$T/npy.txt"

rm -f /tmp/wscope-formats-pwned
for f in evil_system evil_eval legacy scripted big_endian; do
  refuses "^wscope: $F/$f.pt: " "$W" info "$F/$f.pt"
done
ok test ! -e /tmp/wscope-formats-pwned

finish
