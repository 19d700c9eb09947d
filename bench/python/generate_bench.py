#!/usr/bin/env python3
"""transformers' side of bench/generate.sh: a GPT-2-small-shaped GPT2LMHeadModel (12 x 768, 12 heads, vocabulary
50257, gelu_new; default attention implementation) with random weights greedily continues a batch of random
prompts with generate (KV cache, eos off, torch.no_grad) and prints ms_per_token,tokens_per_s of the timed
generations' median (tokens counted over the batch).

Usage: generate_bench.py BATCH PROMPT NEW_TOKENS THREADS REPEATS [VOCAB LAYERS WIDTH HEADS]
(another shape, e.g. a narrow one, shows the cost per step that is not matrix arithmetic)
"""
import statistics
import sys
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def main(batch, prompt, new_tokens, threads, repeats, vocab=50257, layers=12, width=768, heads=12):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=vocab, n_positions=1024, n_embd=width, n_layer=layers,
                                       n_head=heads)).eval()
    ids = torch.randint(0, vocab, (batch, prompt), generator=torch.Generator().manual_seed(2))
    mask = torch.ones_like(ids)

    def run(n):
        with torch.no_grad():
            out = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=n,
                                 min_new_tokens=n, eos_token_id=None, pad_token_id=0)
        assert out.shape[1] == prompt + n, out.shape

    run(8)
    ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(new_tokens)
        ms.append((time.perf_counter() - start) * 1000)
    median = statistics.median(ms)
    print(f"{median / new_tokens:.3f},{batch * new_tokens / (median / 1000):.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:10]))
