#!/usr/bin/env python3
"""Tiny random Hugging Face models and their outputs: the reference of Lethe's architecture checks.

Each case is a tiny random model (hidden 32-64, 2 layers, vocab 300) of one family and config variant, made
with Hugging Face transformers from a fixed seed and saved with save_pretrained (safetensors; F32, F16 or BF16;
optionally sharded), together with a byte-level BPE tokenizer.json and the model's own outputs. Case names start
with the family's model_type (gpt2-..., llama-..., qwen2-...), so a loader can tell which family a case needs.

Usage:
  hf_reference.py cases
      prints the case names, one per line
  hf_reference.py make --case NAME --out DIR [--dtype float32|float16|bfloat16] [--shard-size 20KB]
      writes the case's folder into DIR and DIR/reference.json:
        tokens         [[...]] the token ids fed (one row of 24)
        logits         [[[...]]] float32 logits of the model as saved (weights read back from DIR, computed in
                       float32), shape (1, 24, vocab)
        greedy_prompt  [...] the prompt of the greedy continuation (the first 8 tokens)
        greedy         [...] 40 new ids of model.generate(do_sample=False, max_new_tokens=40,
                       min_new_tokens=40) with eos disabled
        greedy_uncached [...] the same with use_cache=False; it differs from greedy only where transformers'
                       own cached and uncached decoding differ: dynamic rope scaling, whose frequencies follow
                       the length of each pass, so that cached keys keep the rotation of the step that made them
      --dtype and --shard-size override the case's own storage dtype and shard size.
      --case may be repeated (then --out is a parent folder, each case goes to --out/NAME), so that one process
      pays torch's start-up for all of them.
  hf_reference.py logits --model DIR --tokens 1,2,3 --out FILE
      loads DIR with AutoModelForCausalLM (float32) and writes {"tokens": [[...]], "logits": [[[...]]]} to FILE;
      --model and --out may be repeated in pairs
"""
import argparse
import json
import os
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM

SEED = 1234
VOCAB = 300
SEQUENCE = 24
PROMPT = 8
NEW_TOKENS = 40
INIT = 0.2  # large enough that logits are far from 0 and a wrong formula shows
TEXT = ("The quick brown fox jumps over the lazy dog. Unlearning removes what a model knows about a forget set "
        "while keeping what it knows about the rest. Grüße, 日本語, emoji 🙂 and    spaces\ttabs\nnewlines. ") * 8

_LLAMA = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-6, initializer_range=INIT,
              bos_token_id=1, eos_token_id=2, pad_token_id=0)


def _llama(**over):
    return dict(_LLAMA, **over)


def _rope(rope_type="default", theta=10000.0, **more):
    return dict(rope_type=rope_type, rope_theta=theta, **more)


# case -> (config class name, config kwargs, storage dtype, max shard size or None)
CASES = {
    "gpt2-tied": ("GPT2Config", dict(vocab_size=VOCAB, n_positions=128, n_embd=64, n_layer=2, n_head=4,
                                     initializer_range=INIT, bos_token_id=0, eos_token_id=0), "float32", None),
    "gpt2-sharded": ("GPT2Config", dict(vocab_size=VOCAB, n_positions=128, n_embd=32, n_layer=2, n_head=4,
                                        initializer_range=INIT, bos_token_id=0, eos_token_id=0), "float32", "20KB"),
    "gpt2-f16": ("GPT2Config", dict(vocab_size=VOCAB, n_positions=128, n_embd=64, n_layer=2, n_head=4,
                                    initializer_range=INIT, bos_token_id=0, eos_token_id=0), "float16", None),
    "gpt2-bf16": ("GPT2Config", dict(vocab_size=VOCAB, n_positions=128, n_embd=64, n_layer=2, n_head=4,
                                     initializer_range=INIT, bos_token_id=0, eos_token_id=0), "bfloat16", None),
    "llama-gqa-tied": ("LlamaConfig", _llama(tie_word_embeddings=True), "float32", None),
    "llama-untied": ("LlamaConfig", _llama(num_key_value_heads=4, tie_word_embeddings=False,
                                           rope_parameters=_rope(theta=500000.0)), "float32", None),
    "llama-rope-llama3": ("LlamaConfig", _llama(rope_parameters=_rope(
        "llama3", 500000.0, factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
        original_max_position_embeddings=16)), "float32", None),
    "llama-rope-linear": ("LlamaConfig", _llama(rope_parameters=_rope("linear", factor=4.0)), "float32", None),
    # max_position_embeddings below the 24 tokens fed, so that the dynamic NTK scaling is in effect
    "llama-rope-dynamic": ("LlamaConfig", _llama(max_position_embeddings=16, rope_parameters=_rope(
        "dynamic", factor=2.0)), "float32", None),
    "llama-bias": ("LlamaConfig", _llama(attention_bias=True, mlp_bias=True), "float32", None),
    "llama-sharded": ("LlamaConfig", _llama(), "float32", "20KB"),
    "llama-bf16": ("LlamaConfig", _llama(), "bfloat16", None),
    "llama-f16": ("LlamaConfig", _llama(), "float16", None),
    "mistral-sliding-window": ("MistralConfig", _llama(sliding_window=8, tie_word_embeddings=False), "float32", None),
    "qwen2-bias": ("Qwen2Config", _llama(tie_word_embeddings=True, use_sliding_window=False), "float32", None),
    "qwen3-qknorm": ("Qwen3Config", _llama(head_dim=16, tie_word_embeddings=True, use_sliding_window=False),
                     "float32", None),
    "phi-partial-rotary": ("PhiConfig", dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128,
                                             num_hidden_layers=2, num_attention_heads=4, max_position_embeddings=128,
                                             partial_rotary_factor=0.5, initializer_range=INIT, bos_token_id=1,
                                             eos_token_id=2, rope_parameters=_rope(partial_rotary_factor=0.5)),
                           "float32", None),
    "phi-qknorm-gqa": ("PhiConfig", dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128,
                                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                         max_position_embeddings=128, qk_layernorm=True, initializer_range=INIT,
                                         bos_token_id=1, eos_token_id=2,
                                         rope_parameters=_rope(partial_rotary_factor=0.25)), "float32", None),
    "phi3-fused": ("Phi3Config", dict(_llama(), tie_word_embeddings=False, pad_token_id=0), "float32", None),
    # a window shorter than the 24 tokens fed, half of each head rotated, the head tied to the embedding
    "phi3-window-tied": ("Phi3Config", dict(_llama(), tie_word_embeddings=True, sliding_window=8, pad_token_id=0,
                                            rope_parameters=_rope(partial_rotary_factor=0.5)), "float32", None),
    # LongRoPE (Phi-3 128k): pretraining context 4 of 64, so every pass (24 tokens; the 8-token prompt and each
    # step after it) uses the long factors. A cached continuation that crosses the pretraining context is not
    # compared: there transformers 5.18's model forward with a cache rotates the new token with the long factors
    # (as Lethe does: equal logits, checked by hand), while its generate() continued as with the short factors
    "phi3-longrope": ("Phi3Config", dict(_llama(), tie_word_embeddings=False, pad_token_id=0, max_position_embeddings=64,
                                         original_max_position_embeddings=4, rope_parameters=_rope(
                                             "longrope", short_factor=[1.0, 1.05, 1.1, 1.2, 1.4, 1.7, 2.1, 2.6],
                                             long_factor=[1.0, 1.5, 2.5, 4.0, 6.0, 9.0, 13.0, 18.0])),
                      "float32", None),
    "gpt_neox-parallel": ("GPTNeoXConfig", dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128,
                                                num_hidden_layers=2, num_attention_heads=4,
                                                max_position_embeddings=128, use_parallel_residual=True,
                                                rope_parameters=_rope(partial_rotary_factor=0.25),
                                                initializer_range=INIT, bos_token_id=0, eos_token_id=0),
                          "float32", None),
    "gpt_neox-nobias-bf16": ("GPTNeoXConfig", dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128,
                                                   num_hidden_layers=2, num_attention_heads=4,
                                                   max_position_embeddings=128, use_parallel_residual=True,
                                                   attention_bias=False, hidden_act="gelu_new",
                                                   rope_parameters=_rope(partial_rotary_factor=0.5),
                                                   initializer_range=INIT, bos_token_id=0, eos_token_id=0),
                             "bfloat16", None),
    "gpt_neox-sharded": ("GPTNeoXConfig", dict(vocab_size=VOCAB, hidden_size=32, intermediate_size=64,
                                               num_hidden_layers=2, num_attention_heads=4,
                                               max_position_embeddings=128, use_parallel_residual=False,
                                               rope_parameters=_rope(partial_rotary_factor=0.25),
                                               initializer_range=INIT, bos_token_id=0, eos_token_id=0),
                         "float32", "20KB"),
}

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def tokenizer_json(path):
    """A byte-level BPE tokenizer.json of VOCAB tokens trained on TEXT (deterministic: same text, same merges)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=["<|endoftext|>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([TEXT], trainer=trainer)
    tok.save(path)


def token_ids(vocab):
    g = torch.Generator().manual_seed(SEED + 1)
    return torch.randint(3, vocab, (1, SEQUENCE), generator=g)


def float32_logits(model, tokens):
    with torch.no_grad():
        return model(input_ids=tokens).logits.float()


def load_float32(folder):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager")
    return model.eval()


def make(case, out, dtype, shard_size):
    kind, kwargs, case_dtype, case_shard = CASES[case]
    dtype = dtype or case_dtype
    shard_size = shard_size or case_shard
    torch.manual_seed(SEED)
    config = getattr(transformers, kind)(**kwargs)
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager", dtype=torch.float32)
    model = model.to(DTYPES[dtype]).eval()
    os.makedirs(out, exist_ok=True)
    save = dict(safe_serialization=True)
    if shard_size:
        save["max_shard_size"] = shard_size
    model.save_pretrained(out, **save)
    tokenizer_json(os.path.join(out, "tokenizer.json"))
    # the reference is the model as stored, read back and computed in float32
    model = load_float32(out)
    tokens = token_ids(config.vocab_size)
    logits = float32_logits(model, tokens)
    prompt = tokens[:, :PROMPT]
    with torch.no_grad():
        greedy = dict(input_ids=prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                      max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, eos_token_id=None, pad_token_id=0)
        generated = model.generate(**greedy)
        uncached = model.generate(**greedy, use_cache=False)
    reference = {"case": case, "dtype": dtype, "tokens": tokens.tolist(), "logits": logits.tolist(),
                 "greedy_prompt": prompt[0].tolist(), "greedy": generated[0, PROMPT:].tolist(),
                 "greedy_uncached": uncached[0, PROMPT:].tolist()}
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(reference, f)


def logits(folders, tokens, outs):
    if len(folders) != len(outs):
        sys.exit("hf_reference.py logits: give one --out per --model")
    ids = torch.tensor([[int(t) for t in tokens.split(",")]])
    for folder, out in zip(folders, outs):
        result = {"tokens": ids.tolist(), "logits": float32_logits(load_float32(folder), ids).tolist()}
        with open(out, "w") as f:
            json.dump(result, f)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cases")
    m = sub.add_parser("make")
    m.add_argument("--case", required=True, choices=sorted(CASES), action="append")
    m.add_argument("--out", required=True)
    m.add_argument("--dtype", choices=sorted(DTYPES))
    m.add_argument("--shard-size")
    lg = sub.add_parser("logits")
    lg.add_argument("--model", required=True, action="append")
    lg.add_argument("--tokens", required=True)
    lg.add_argument("--out", required=True, action="append")
    a = parser.parse_args(argv)
    torch.set_num_threads(1)
    if a.command == "cases":
        print("\n".join(CASES))
    elif a.command == "make":
        for case in a.case:
            make(case, a.out if len(a.case) == 1 else os.path.join(a.out, case), a.dtype, a.shard_size)
    else:
        logits(a.model, a.tokens, a.out)


if __name__ == "__main__":
    main(sys.argv[1:])
