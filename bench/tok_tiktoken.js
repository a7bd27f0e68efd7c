// A second reference for bench/tokenize: OpenAI's tiktoken (Rust, compiled
// to WebAssembly; npm tiktoken) with its "gpt2" encoding on the same text.
//   node tok_tiktoken.js PACKAGE_DIR TEXT [IDS_OUT]
// encode_ordinary: special tokens are plain text, as in wscope.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const [pkgDir, textPath, idsOut] = process.argv.slice(2);
let raw = fs.readFileSync(textPath);
if (raw[0] === 0x1f && raw[1] === 0x8b) raw = zlib.gunzipSync(raw);
const text = raw.toString('utf8');
const t0 = process.hrtime.bigint();
const enc = require(pkgDir).get_encoding('gpt2');
const t1 = process.hrtime.bigint();
const ids = enc.encode_ordinary(text);
const t2 = process.hrtime.bigint();
const load = Number(t1 - t0) / 1e9, secs = Number(t2 - t1) / 1e9;
console.log(`load ${load.toFixed(3)} s  encode ${secs.toFixed(4)} s  tokens ${ids.length}  ` +
            `tokens/s ${(ids.length / secs).toFixed(0)}  MB/s ${(raw.length / secs / 1e6).toFixed(2)}`);
if (idsOut) fs.writeFileSync(idsOut, Array.from(ids).join('\n') + '\n');
