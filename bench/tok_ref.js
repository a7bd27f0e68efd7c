// The reference side of bench/tokenize: npm gpt-3-encoder on the same text.
//   node tok_ref.js PACKAGE_DIR TEXT [IDS_OUT]
// Its encode() appends each piece's ids with Array.concat, which copies the
// whole result every time (quadratic: 174 s for Moby-Dick in one call), so
// the text is encoded in chunks of about 4 kB cut where the result cannot
// change: after a "\n" that follows a non-space character and starts a
// white-space run of one or two characters before a non-space (in the whole
// text and in the chunk alike, that newline is a piece of its own, and the
// next chunk starts where the next piece starts). bench/tokenize checks
// that the ids equal wscope's for the whole text.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const [pkgDir, textPath, idsOut] = process.argv.slice(2);
let raw = fs.readFileSync(textPath);
if (raw[0] === 0x1f && raw[1] === 0x8b) raw = zlib.gunzipSync(raw);
const text = raw.toString('utf8');

const sp = (c) => /\s/.test(c);
const chunks = [];
for (let start = 0; start < text.length;) {
  let cut = text.length;
  for (let i = start + 4096; i < text.length - 1; i++)
    if (text[i] === '\n' && !sp(text[i - 1]) &&
        (!sp(text[i + 1]) || (i + 2 < text.length && !sp(text[i + 2])))) { cut = i + 1; break; }
  chunks.push(text.slice(start, cut));
  start = cut;
}

const t0 = process.hrtime.bigint();
const enc = require(pkgDir);
const t1 = process.hrtime.bigint();
const ids = [];
for (const c of chunks) for (const id of enc.encode(c)) ids.push(id);
const t2 = process.hrtime.bigint();
const load = Number(t1 - t0) / 1e9, secs = Number(t2 - t1) / 1e9;
console.log(`load ${load.toFixed(3)} s  encode ${secs.toFixed(4)} s  tokens ${ids.length}  ` +
            `tokens/s ${(ids.length / secs).toFixed(0)}  MB/s ${(raw.length / secs / 1e6).toFixed(2)}`);
if (idsOut) fs.writeFileSync(idsOut, ids.join('\n') + '\n');
