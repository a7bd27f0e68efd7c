#!/bin/sh
# Hostile files (tests/ref/hostile.py): each refused in one line with exit 2
# (or read correctly), no control byte or invalid UTF-8 on stdout/stderr,
# peak memory under the cap, no hang; names from files escaped everywhere.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
H="$S/tests/fixtures/hostile"
CAP_MB=${WS_RSS_CAP_MB:-400}   # far below the 2 to 24 GB these files once took
LIMIT_S=60 MANY=160000
# Under AddressSanitizer: its shadow memory and a smaller quarantine within
# a cap three times higher, more time, fewer tiny tensors.
if grep -q __asan_ "$W"; then
    CAP_MB=$((CAP_MB * 3)) LIMIT_S=300 MANY=40000
    ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=32"
fi
RUN="$B/tests/run_capped"

# clean FILE: no control bytes but newlines, valid UTF-8
clean() { ! LC_ALL=C tr -d '\n' < "$1" | LC_ALL=C grep -q '[[:cntrl:]]' && iconv -f UTF-8 -t UTF-8 "$1" > /dev/null 2>&1; }
# capped WANT_EXIT CMD...: run under run_capped (LIMIT_S); exit status, memory, clean output
capped() {
    code=$1; shift
    "$RUN" "$T/report" $LIMIT_S "$@" > "$T/out" 2> "$T/err"
    rc=$?
    rss=$(sed 's/.*rss_kb=//' "$T/report")
    ok test "$rc" -eq "$code"
    ok test "$rss" -lt $((CAP_MB * 1024))
    ok clean "$T/out"
    ok clean "$T/err"
    [ "$rc" -eq "$code" ] && [ "$rss" -lt $((CAP_MB * 1024)) ] ||
        echo "  $*: exit $rc (want $code), peak RSS $rss kB: $(head -c 300 "$T/err")" >&2
}
# hostile WANT CMD...: refused: exit 2, nothing on stdout, one line matching WANT
hostile() {
    want=$1; shift
    capped 2 "$@"
    ok test ! -s "$T/out"
    ok test "$(wc -l < "$T/err")" -eq 1
    ok grep -q -- "$want" "$T/err"
}

# 1. Memory bombs: refused, memory bounded by the file plus the stated cap.
hostile "w: a view of 2400000000 bytes takes the tensors past the file's own 602 bytes" \
    "$W" info "$H/broadcast.pt"
hostile "broadcast (stride 0) or overlapping views are refused" "$W" info --no-stats "$H/broadcast_8g.pt"
hostile "pickle: its objects need more than 100 MiB" "$W" info "$H/codecs_bomb.pt"
hostile "pickle: its objects need more than" "$W" spectrum "$H/codecs_bomb.pt"

# 2. Names with control bytes: escaped in errors, tables, JSON; one line each.
hostile 'tensor "\\x1b\[31mevil": data_offsets begin at 8, expected 4 (a gap)' "$W" info "$H/esc_gap.safetensors"
hostile 'tensor "line1\\nline2": data_offsets begin' "$W" info "$H/newline_gap.safetensors"
hostile "header is not valid JSON: string or '}' expected near '\\\\x07'" "$W" info "$H/json_ctrl.safetensors"
hostile 'a\\nb: archive/data/7 is missing from the archive' "$W" info "$H/newline_missing.pt"
capped 0 "$W" info "$H/esc_name.safetensors"
ok grep -qF '\x1b]0;pwned\x07w' "$T/out"
capped 0 "$W" info "$H/esc_name.pt"
ok grep -qF 'w\x1b[2Jx' "$T/out"
capped 0 "$W" info "$H/nonutf8_name.pt"
ok grep -qF 'w\xff\xfe' "$T/out"
capped 0 "$W" info --json "$H/nonutf8_name.pt"     # escaped, not dropped
ok "$J" tables.tensors.rows.0.name < "$T/out"
ok grep -qF '"name": "w\\xff\\xfe"' "$T/out"
capped 0 "$W" info --json "$H/esc_name.pt"         # valid UTF-8: JSON escapes it itself
ok grep -qF '"name": "w\u001B[2Jx"' "$T/out"
capped 0 "$W" plot "$H/esc_name.safetensors" --tensor '*w' --row 0 -o "$T/fig.svg"
ok grep -qF '\x1b]0;pwned\x07w' "$T/fig.svg"
ok clean "$T/fig.svg"

# 3. Edge shapes the sanitizers caught: a header "{}", an empty tensor whose
#    strides overflow int64.
capped 0 "$W" info "$H/empty_header.safetensors"
ok grep -q "0 tensors" "$T/out"
capped 0 "$W" info "$H/zero_dim_overflow.pt"
ok grep -q "0x2147483648x8589934592" "$T/out"

# 4. Many tensors: name lookups are hashed, so 160,000 tiny tensors open in
#    linear time (the quadratic lookup took minutes); bench/open times it.
"$S/bench/many_tensors" $MANY "$T/many.safetensors"
capped 0 "$W" info --no-stats "$T/many.safetensors"
ok test "$(grep -c '^t[0-9]' "$T/out")" -eq $MANY

finish
