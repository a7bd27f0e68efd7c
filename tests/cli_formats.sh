#!/bin/sh
# wscope info on .pt / ckpt.pt / .npy end to end: the nanoGPT config from
# model_args, and refused files (code-running pickles, legacy, TorchScript)
# as one line on stderr, exit 2, nothing run.
set -u
B=${WS_BUILDDIR:-.}
S=${WS_SRCDIR:-.}
W="$B/wscope"
F="$S/tests/fixtures/formats"
T=$(mktemp -d /tmp/wscope-cli-formats-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0 pass=0
ok() { if "$@"; then pass=$((pass + 1)); else echo "FAIL: $*" >&2; fail=$((fail + 1)); fi; }

"$W" info "$F/ckpt.pt" > "$T/info.txt"
ok test $? -eq 0
ok grep -q "layout: nanoGPT" "$T/info.txt"
ok grep -q "n_layer=1 n_head=2 n_embd=8 vocab_size=11 block_size=6 tied=yes bias=yes" "$T/info.txt"
"$W" info "$F/ckpt_compiled.pt" --json --no-stats > "$T/info.json"
ok "$B/tests/json_check" config.n_head=2 config.tied=true < "$T/info.json"
"$W" info "$F/arr_f4.npy" > "$T/npy.txt"
ok grep -q "^arr_f4 .*3x5 *F32" "$T/npy.txt"

rm -f /tmp/wscope-formats-pwned
for f in evil_system evil_eval legacy scripted big_endian; do
  "$W" info "$F/$f.pt" > "$T/out" 2> "$T/err"
  ok test $? -eq 2
  ok test ! -s "$T/out"
  ok test "$(wc -l < "$T/err")" -eq 1
  ok grep -q "^wscope: $F/$f.pt: " "$T/err"
done
ok test ! -e /tmp/wscope-formats-pwned

echo "$pass passed, $fail failed"
test "$fail" -eq 0
