"""The reference for a tokenizer that Lethe trained (dev.lethe.model.BpeTrainer) and a base-model folder it wrote.

Usage: bpe_reference.py FOLDER

Prints, as JSON on standard output (UTF-8), for the fixed multilingual / emoji / whitespace text set of
tokenizer_reference.py: the pieces of the `tokenizers` library's ByteLevel pre-tokenizer (GPT-2's split pattern,
no prefix space), the ids of FOLDER/tokenizer.json through the `tokenizers` library and through transformers'
AutoTokenizer (add_special_tokens=False), and the decoded texts; plus the special tokens transformers resolves and,
when the folder has a chat template, apply_chat_template(tokenize=False) of a fixed conversation with and without
the generation prompt.
"""
import json
import os
import sys

from tokenizers import Tokenizer, pre_tokenizers
from transformers import AutoTokenizer

from tokenizer_reference import TEXTS

CONVERSATION = [{"role": "system", "content": "You answer briefly."},
                {"role": "user", "content": "Where was Kalo Renmi born?"},
                {"role": "assistant", "content": "In Torvel, naïve 🦙."}]


def main():
    folder = sys.argv[1]
    lib = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok = AutoTokenizer.from_pretrained(folder)
    out = {"texts": TEXTS, "pieces": [], "library": [], "transformers": [], "decoded": []}
    for text in TEXTS:
        out["pieces"].append([piece for piece, _ in pre.pre_tokenize_str(text)])
        ids = lib.encode(text, add_special_tokens=False).ids
        out["library"].append(ids)
        out["transformers"].append(tok(text, add_special_tokens=False)["input_ids"])
        out["decoded"].append(lib.decode(ids, skip_special_tokens=True))
    out["ids"] = {name: getattr(tok, name + "_id") for name in ("bos_token", "eos_token", "pad_token")}
    out["vocab_size"] = lib.get_vocab_size(with_added_tokens=True)
    if tok.chat_template:
        out["chat"] = tok.apply_chat_template(CONVERSATION, tokenize=False)
        out["chat_prompt"] = tok.apply_chat_template(CONVERSATION[:2], tokenize=False, add_generation_prompt=True)
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
