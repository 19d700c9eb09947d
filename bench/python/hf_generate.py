#!/usr/bin/env python3
"""transformers' batched, left-padded greedy generation on hf_reference.py's cases: the reference of Lethe's
Generator.

Usage:
  hf_generate.py make --case NAME --out DIR
      writes the case's folder into DIR (hf_reference.py's make: model, tokenizer.json, reference.json) and
      DIR/generate.json:
        prompts  [[...], ...] three prompts of different lengths (3, 8 and 5 tokens)
        greedy   [[...], ...] 40 new ids per prompt of one model.generate(do_sample=False, max_new_tokens=40,
                 min_new_tokens=40, eos disabled) on the prompts left-padded into one batch (pad id 0,
                 attention_mask 0 there), with the KV cache as generate uses it by default
        greedy_uncached  the same with use_cache=False (the prefix recomputed every step), which differs from
                 greedy where the model's numbers depend on the sequence length seen (dynamic rope scaling)
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference  # noqa: E402  (the cases, the model maker and the float32 loader are shared)

LENGTHS = (3, 8, 5)
NEW_TOKENS = 40


def prompts(vocab):
    g = torch.Generator().manual_seed(hf_reference.SEED + 2)
    return [torch.randint(3, vocab, (n,), generator=g).tolist() for n in LENGTHS]


def left_padded(rows, pad=0):
    width = max(len(r) for r in rows)
    ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    return ids, mask


def make(case, out):
    hf_reference.make(case, out, None, None)
    model = hf_reference.load_float32(out)
    rows = prompts(model.config.vocab_size)
    ids, mask = left_padded(rows)
    with torch.no_grad():
        generated = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=NEW_TOKENS,
                                   min_new_tokens=NEW_TOKENS, eos_token_id=None, pad_token_id=0)
        uncached = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=NEW_TOKENS,
                                  min_new_tokens=NEW_TOKENS, eos_token_id=None, pad_token_id=0, use_cache=False)
    result = {"case": case, "prompts": rows, "greedy": generated[:, ids.shape[1]:].tolist(),
              "greedy_uncached": uncached[:, ids.shape[1]:].tolist()}
    with open(os.path.join(out, "generate.json"), "w") as f:
        json.dump(result, f)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("--case", required=True, choices=sorted(hf_reference.CASES))
    m.add_argument("--out", required=True)
    a = parser.parse_args(argv)
    torch.set_num_threads(1)
    make(a.case, a.out)


if __name__ == "__main__":
    main(sys.argv[1:])
