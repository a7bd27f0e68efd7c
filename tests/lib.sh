# Shared preamble of the command-line shell tests (tests/cli_*.sh,
# tests/docs_cover.sh). Source it right after `set -u`:
#     . "${WS_SRCDIR:-.}/tests/lib.sh"
#
# Loading it sets:
#   B      the build directory ($WS_BUILDDIR, else .)
#   S      the source directory ($WS_SRCDIR, else .)
#   W      the wscope binary, $B/wscope
#   J      the JSON checker, $B/tests/json_check
#   T      a fresh temporary directory, removed on EXIT (INT/TERM exit 130/143)
#   pass=0 fail=0   the counters ok keeps
#
# Functions:
#   ok CMD ARGS...        run CMD; count a pass if it succeeds, else print
#                         "FAIL: CMD ARGS" on stderr and count a failure
#   refuses WANT CMD ARGS...
#                         CMD must exit 2, print nothing on stdout and one
#                         line on stderr that matches the regex WANT (four
#                         checks through ok); the output is left in $T/out
#                         and $T/err; on a failure the stderr is shown
#   finish                print "N passed, N failed"; exit 0 if none failed,
#                         else 1
#
# Sanitizer builds: every report (ASan, UBSan, LSan) of every process the
# test runs goes to a file $T/sanitizer.PID (ASAN_OPTIONS/UBSAN_OPTIONS
# log_path, added to whatever the caller set); `finish` fails on any such
# file and prints it, so a report can never pass unnoticed inside a
# captured stderr.

B=${WS_BUILDDIR:-.}
S=${WS_SRCDIR:-.}
W="$B/wscope"
J="$B/tests/json_check"
T=$(mktemp -d "${TMPDIR:-/tmp}/wscope-$(basename "$0" .sh)-XXXXXX") ||
    { echo "FAIL: mktemp" >&2; exit 1; }
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pass=0 fail=0
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/sanitizer"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/sanitizer"
export ASAN_OPTIONS UBSAN_OPTIONS

ok() { if "$@"; then pass=$((pass + 1)); else echo "FAIL: $*" >&2; fail=$((fail + 1)); fi; }
refuses() {
    want_=$1; shift
    "$@" > "$T/out" 2> "$T/err"
    rc_=$? fail_=$fail
    ok test $rc_ -eq 2
    ok test ! -s "$T/out"
    ok test "$(wc -l < "$T/err")" -eq 1
    ok grep -q -- "$want_" "$T/err"
    [ "$fail" -eq "$fail_" ] || echo "  got (exit $rc_): $(cat "$T/err")" >&2
}
# sanitizer_reports: fail (and print them) when any process left a report.
sanitizer_reports() {
    for f_ in "$T"/sanitizer.*; do
        [ -e "$f_" ] || continue
        echo "FAIL: sanitizer report $(basename "$f_"):" >&2
        cat "$f_" >&2
        fail=$((fail + 1))
    done
}
finish() {
    sanitizer_reports
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && exit 0
    exit 1
}
