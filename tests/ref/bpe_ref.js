// Writes the GPT-2 BPE fixtures (see bpe_ref.sh, which runs this):
//   node bpe_ref.js PACKAGE_DIR OUT_DIR CORPUS_DIR VERSION
// The expected ids come from the package's own encode(); every case is
// also decoded back by the package, as a check of the case itself.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [pkgDir, outDir, corpusDir, version] = process.argv.slice(2);
const enc = require(pkgDir);
const encoderJson = fs.readFileSync(path.join(pkgDir, 'encoder.json'));
const vocabBpe = fs.readFileSync(path.join(pkgDir, 'vocab.bpe'));
const gz = (buf) => zlib.gzipSync(buf, { level: 9 });   // no name, mtime 0: reproducible

fs.mkdirSync(path.join(outDir, 'gpt2'), { recursive: true });
fs.writeFileSync(path.join(outDir, 'gpt2', 'encoder.json.gz'), gz(encoderJson));
fs.writeFileSync(path.join(outDir, 'gpt2', 'vocab.bpe.gz'), gz(vocabBpe));

// The same tables as a Hugging Face tokenizers file, as GPT-2's own
// tokenizer.json is laid out (merges in the newer [a, b] form).
const vocab = JSON.parse(encoderJson.toString('utf8'));
const lines = vocabBpe.toString('utf8').split('\n');
const merges = lines.slice(1).filter((l) => l.trim().length > 0).map((l) => l.split(' '));
const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
const tokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false,
                   rstrip: false, normalized: true, special: true }],
  normalizer: null,
  pre_tokenizer: byteLevel,
  post_processor: byteLevel,
  decoder: byteLevel,
  model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '',
           end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false,
           vocab, merges },
};
fs.writeFileSync(path.join(outDir, 'gpt2', 'tokenizer.json.gz'),
                 gz(Buffer.from(JSON.stringify(tokenizerJson), 'utf8')));

const corpus = (name) => zlib.gunzipSync(fs.readFileSync(path.join(corpusDir, name))).toString('utf8');
const moby = corpus('moby-dick.txt.gz');
const sotu = corpus('sotu.txt.gz');

const cases = [
  ['moby-dick, the first 6000 characters', moby.slice(0, 6000)],
  ['moby-dick, 3000 characters from the middle', moby.slice(600000, 603000)],
  ['sotu, 3000 characters from the middle', sotu.slice(5000000, 5003000)],
  ['contractions',
   "I'm sure you're right; he'll say they've gone, we'd stay, it's Ahab's. Don't! DON'T " +
   "ISN'T I'M HE'LL. O'Neil's 'quoted' ''s rock'n'roll y'all 'tis 'twas '' ' 's 'S 'll 'LL 'x"],
  ['numbers',
   'In 1851, 3.14159 and 1,000,000; 2024-06-01 12:30:45 +7 -42 1e10 0x1F 007 ' +
   '\u00bd \u00b2 \u0663\u0664\u0665 \u2167 \u4e09\u5341 12abc abc12 1\u00bd'],
  ['punctuation runs',
   'Wait... what?!?! --- *** ((())) ## @@ $$$ %%% ^^^ &&& || \\\\ ``` ~~~ ;;; ::: ,,,, ' +
   '\u2014\u2014 \u201cquoted\u201d \u00ab\u00bb .;:!? a.b,c'],
  ['white space runs',
   'a  b   c\t\td\n\n\ne \r\n f    \n  g \u00a0h\u3000i\u2028j\u2029k\u2003l\u00a0 m\u0085n' +
   '\u180eo\u200bp\ufeffq \n\n   end   '],
  ['leading white space', '   start'],
  ['only spaces', '     '],
  ['one newline', '\n'],
  ['non-ASCII letters',
   'caf\u00e9 na\u00efve r\u00e9sum\u00e9 Z\u00fcrich fa\u00e7ade \u0152uvre \u00df ' +
   '\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u0440\u0443\u0441\u0441\u043a\u0438\u0439 ' +
   '\u05e2\u05d1\u05e8\u05d9\u05ea \u0627\u0644\u0639\u0631\u0628\u064a\u0629 ' +
   '\u0939\u093f\u0928\u094d\u0926\u0940'],
  ['Chinese, Japanese, Korean',
   '\u4e2d\u6587\u5b57\u7b26\u6d4b\u8bd5\uff0c\u4f60\u597d\u4e16\u754c\u3002 ' +
   '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \ud55c\uad6d\uc5b4'],
  ['emoji',
   'emoji \ud83d\ude00\ud83d\udc4d\ud83c\udffd \ud83c\uddfa\ud83c\uddf8 ' +
   '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \u2764\ufe0f!'],
  ['combining marks', 'e\u0301 a\u0308 n\u0303o Z\u0335a\u0336l\u0337g\u0338o'],
  ['control characters', 'a\u0000b\u0001c\u001fd\u007fe\u0080f\u009fg'],
  ['special token as text', '<|endoftext|> is plain text here<|endoftext|>'],
];

const out = { package: `gpt-3-encoder@${version}`, cases: [] };
for (const [name, text] of cases) {
  const ids = enc.encode(text);
  if (enc.decode(ids) !== text)
    throw new Error(`the package does not round-trip case "${name}"`);
  out.cases.push({ name, text, ids });
}
fs.writeFileSync(path.join(outDir, 'gpt2_ref.json'), JSON.stringify(out, null, 0) + '\n');
console.log(`wrote ${out.cases.length} cases, ${out.cases.reduce((s, c) => s + c.ids.length, 0)} ids`);
