#!/bin/sh
# Docs move with the code: every command in `wscope --help` has an entry in
# the man page and a line in the README, every long option that --help or a
# command's --help shows is in the man page, and the man page formats
# without warnings.
set -u
. "${WS_SRCDIR:-.}/tests/lib.sh"
MAN="$S/man/wscope.1"
README="$S/README.md"
help=$("$B/wscope" --help)
cmds=$(printf '%s\n' "$help" | sed -n 's/^  \([a-z][a-z-]*\)  *[A-Z-].*/\1/p')
ok test -n "$cmds"
case " $(echo $cmds) " in *" export-run "*) ok true ;; *) ok false ;; esac   # names with a dash
for c in $cmds; do
  ok grep -q "^\.B $(printf '%s' "$c" | sed 's/-/\\\\-/g')\b" "$MAN"
  ok grep -q "wscope $c\b" "$README"
done
opts=$(for c in $cmds; do "$B/wscope" "$c" --help; done; printf '%s\n' "$help")
for o in $(printf '%s\n' "$opts" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
  esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
  ok grep -q -- "$esc" "$MAN"
done
if command -v groff > /dev/null; then
  w=$(groff -ww -z -man "$MAN" 2>&1)
  ok test -z "$w"
  [ -z "$w" ] || echo "$w" >&2
fi
finish
