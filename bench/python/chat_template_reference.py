"""Chat templates rendered by Hugging Face transformers, the reference for Lethe's ChatTemplate.

Usage: chat_template_reference.py CASES.json

CASES.json is a list of cases, each
  {"template_file": path, "special_tokens": {"bos_token": ..., ...}, "messages": [{"role", "content"}, ...],
   "add_generation_prompt": bool, "variables": {...}}
For each case the script builds a tokenizer (a one-word WordLevel model wrapped in PreTrainedTokenizerFast)
whose chat_template is the file's text and whose special tokens are the case's, then calls
apply_chat_template(messages, tokenize=False, add_generation_prompt=..., **variables). It prints a JSON list
with {"text": rendered} or {"error": message} per case, in order, to standard output (UTF-8).
"""
import json
import sys

from tokenizers import Tokenizer, models
from transformers import PreTrainedTokenizerFast


def tokenizer(template, special_tokens):
    vocab = {"<unk>": 0}
    for token in special_tokens.values():
        vocab.setdefault(token, len(vocab))
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    return PreTrainedTokenizerFast(tokenizer_object=backend, chat_template=template, **special_tokens)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        with open(case["template_file"], encoding="utf-8") as f:
            template = f.read()
        tok = tokenizer(template, case.get("special_tokens", {}))
        try:
            text = tok.apply_chat_template(case["messages"], tokenize=False,
                                           add_generation_prompt=case["add_generation_prompt"],
                                           **case.get("variables", {}))
            out.append({"text": text})
        except Exception as e:  # the template's raise_exception, or a rendering error
            out.append({"error": f"{type(e).__name__}: {e}"})
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
