#!/usr/bin/python3
"""nanoGPT character-vocabulary fixtures for tests/test_tokenizer_files.c.

Builds the vocabulary and meta.pkl exactly as nanoGPT's
data/shakespeare_char/prepare.py does (sorted set of the text's characters,
stoi/itos dicts, pickle.dump of {'vocab_size', 'itos', 'stoi'}), on the first
20000 characters of Moby-Dick (the committed corpus), and writes into
tests/fixtures/tok/char/:
  meta.pkl        pickle.dump(meta, f): the default protocol (4 in Python 3.8-3.13)
  meta_p2.pkl     the same dict with protocol 2
  meta_p5.pkl     the same dict with protocol 5
  evil_system.pkl a "meta.pkl" whose itos runs os.system under pickle.load
                  (protocol 4, STACK_GLOBAL)
  evil_exec.pkl   the same with builtins.exec (protocol 2, GLOBAL)
  expected.json   the vocabulary size, a text from the corpus with its ids
                  (nanoGPT's encode), and a text with characters outside
                  the vocabulary with the ids of the others and their count
and into tests/fixtures/tok/char/moby_char/ the meta.pkl of the corpus that
tests/ref/checkpoints_ref.py trains its nanoGPT checkpoint on (config
dataset "moby_char"), and val.txt, the text of its val.bin (the last 20 %),
so that eval of the text through the meta.pkl can be checked against
PyTorch's loss on val.bin.
Run: /usr/bin/python3 tests/ref/meta_pkl_ref.py
"""
import gzip
import json
import os
import pickle
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "tok", "char")
CORPUS = os.path.join(HERE, "..", "..", "sample-models", "moby-dick.txt.gz")


class System:
    def __reduce__(self):
        return (os.system, ("echo wscope-meta-pkl-ran-code > /tmp/wscope-evil-meta",))


class Exec:
    def __reduce__(self):
        return (exec, ("open('/tmp/wscope-evil-meta', 'w').write('ran')",))


def main():
    os.makedirs(OUT, exist_ok=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        data = f.read()[:20000]

    # as nanoGPT's prepare.py
    chars = sorted(list(set(data)))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}
    meta = {"vocab_size": vocab_size, "itos": itos, "stoi": stoi}
    with open(os.path.join(OUT, "meta.pkl"), "wb") as f:
        pickle.dump(meta, f)
    for proto in (2, 5):
        with open(os.path.join(OUT, "meta_p%d.pkl" % proto), "wb") as f:
            pickle.dump(meta, f, protocol=proto)

    with open(os.path.join(OUT, "evil_system.pkl"), "wb") as f:
        pickle.dump({"vocab_size": 2, "itos": System(), "stoi": {}}, f, protocol=4)
    with open(os.path.join(OUT, "evil_exec.pkl"), "wb") as f:
        pickle.dump({"vocab_size": 2, "itos": Exec(), "stoi": {}}, f, protocol=2)

    text = data[12000:14000]
    unknown = "Zebra\u2122 caf\u00e9 \U0001F40B!"   # ™, é and 🐋 are not in Moby-Dick's first pages
    known = [c for c in unknown if c in stoi]
    expected = {
        "vocab_size": vocab_size,
        "text": text,
        "ids": [stoi[c] for c in text],
        "text_unknown": unknown,
        "ids_unknown": [stoi[c] for c in known],
        "n_unknown": len(unknown) - len(known),
        "non_ascii": [c for c in chars if ord(c) > 127],
    }
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=True, indent=0)
        f.write("\n")
    print("vocab_size", vocab_size, "non-ASCII", expected["non_ascii"],
          "unknown", expected["n_unknown"])
    moby_char()


def moby_char():
    sys.path.insert(0, HERE)
    from checkpoints_ref import CORPUS_TEXT   # noqa: E402 (imports torch)
    text = CORPUS_TEXT
    chars = sorted(list(set(text)))
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}
    d = os.path.join(OUT, "moby_char")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "meta.pkl"), "wb") as f:
        pickle.dump({"vocab_size": len(chars), "itos": itos, "stoi": stoi}, f)
    split = int(0.8 * len(text))   # checkpoints_ref.py's split of the ids
    with open(os.path.join(d, "val.txt"), "w", encoding="utf-8") as f:
        f.write(text[split:])
    print("moby_char: vocab_size", len(chars), "val characters", len(text) - split)


if __name__ == "__main__":
    main()
