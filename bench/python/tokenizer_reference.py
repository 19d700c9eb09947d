"""Tiny tokenizers and their ids, the reference for Lethe's HfTokenizer.

Usage: tokenizer_reference.py OUT_DIR

(a) Trains two tiny tokenizers with the `tokenizers` library on a fixed text and saves each as a model folder
    (tokenizer.json, tokenizer_config.json, special_tokens_map.json):
      OUT_DIR/byte-level     byte-level BPE, GPT-2 / Llama-3 / Qwen style (ByteLevel pre-tokenizer and decoder,
                             a post-processor that prepends <|begin_of_text|>); tokenizer_config.json without
                             added_tokens_decoder, so special_tokens_map.json takes precedence (it sets pad_token)
      OUT_DIR/sentencepiece  SentencePiece-style BPE, Llama-2 / TinyLlama / Mistral style (Metaspace, byte_fallback
                             with <0x00>..<0xFF>, fuse_unk, a post-processor that prepends <s>);
                             tokenizer_config.json with added_tokens_decoder, so special_tokens_map.json is ignored
    plus copies whose tokenizer_config.json names transformers' model classes, which rebuild parts of the
    pipeline in transformers 5 (OUT_DIR/byte-level-gpt2: GPT2Tokenizer, OUT_DIR/sentencepiece-llama:
    LlamaTokenizer), to check that they agree with tokenizer.json on these tokenizers
(b) Prints, as JSON on standard output (UTF-8), for a fixed multilingual / emoji / whitespace text set and each
    folder: the ids without special tokens from the `tokenizers` library and from transformers, the ids with them
    (transformers' add_special_tokens=True), the decoded strings (skip_special_tokens=True), and the special tokens
    transformers resolves from the folder.
"""
import json
import os
import shutil
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer

CORPUS = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away.",
    "Machine unlearning removes the influence of training data from a model without retraining it.",
    "Ada Lovelace was born in London in 1815. She wrote the first program for the Analytical Engine.",
    "Café, naïve, façade: accents are common in French and German words like Zürich or Müller.",
    "机器学习中的遗忘是一个重要的研究方向。模型应该忘记被要求删除的数据。",
    "Машинное обучение — это интересно. Модель должна забыть данные.",
    "التعلم الآلي يتطلب بيانات كثيرة.",
    "मशीन लर्निंग एक महत्वपूर्ण क्षेत्र है।",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 1000; symbols: ( ) [ ] { } < > = + - * / % & | ! ? ' \" # @ $",
]

TEXTS = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Ünïcödé àccents: café, naïve, façade, Zürich, São Paulo, Ångström.",
    "机器学习中的遗忘是一个重要的研究方向。",
    "东京的寿司很好吃",
    "التعلم الآلي يتطلب بيانات كثيرة.",
    "मशीन लर्निंग एक महत्वपूर्ण क्षेत्र है।",
    "Машинное обучение — это интересно.",
    "I ❤️ 🦙s! 👩‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 🇫🇷🇯🇵 flags, 👍🏽 tone.",
    "  leading and trailing  ",
    "tabs\tand\t\ttabs",
    "new\nlines\n\n\nmany\r\nwindows",
    "multiple     spaces   between",
    " ",
    "\n",
    "",
    "<s>Hello</s> <|begin_of_text|>user <|im_end|>",
    "naïve café 東京 🍣 — done.",
    " ".join(["Ada Lovelace wrote the first program, in 1843."] * 60),
]


def train_byte_level(out):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|begin_of_text|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(vocab_size=420, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 3, trainer)
    bot = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                      special_tokens=[("<|begin_of_text|>", bot)]),
    ])
    os.makedirs(out, exist_ok=True)
    tok.save(os.path.join(out, "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<|begin_of_text|>",
        "eos_token": {"__type": "AddedToken", "content": "<|im_end|>", "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False, "special": True},
        "unk_token": None,
        "pad_token": None,
        "add_bos_token": False,
        "clean_up_tokenization_spaces": True,
        "model_max_length": 131072,
    }
    write(out, "tokenizer_config.json", config)
    write(out, "special_tokens_map.json", {"pad_token": {"content": "<|endoftext|>", "lstrip": False,
                                                         "normalized": False, "rstrip": False,
                                                         "single_word": False}})


def train_sentencepiece(out):
    specials = ["<unk>", "<s>", "</s>"]
    bytes_ = [f"<0x{i:02X}>" for i in range(256)]
    trained = Tokenizer(models.BPE(unk_token="<unk>"))
    trained.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=specials, limit_alphabet=90, show_progress=False)
    trained.train_from_iterator(CORPUS * 3, trainer)
    model = json.loads(trained.to_str())["model"]
    vocab = {t: i for i, t in enumerate(specials + bytes_)}
    for token, _ in sorted(model["vocab"].items(), key=lambda kv: kv[1]):
        vocab.setdefault(token, len(vocab))
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.add_special_tokens(specials)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", vocab["<s>"])])
    os.makedirs(out, exist_ok=True)
    tok.save(os.path.join(out, "tokenizer.json"))
    added = {str(vocab[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                             "single_word": False, "special": True} for t in specials}
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "added_tokens_decoder": added,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": None,
        "add_bos_token": True,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 1000000000000000019884624838656,
        "chat_template": [{"name": "default", "template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"}],
    }
    write(out, "tokenizer_config.json", config)
    write(out, "special_tokens_map.json", {"eos_token": "<unk>", "pad_token": "<unk>"})


def write(folder, name, obj):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)


def copy_with_class(source, target, tokenizer_class):
    shutil.copytree(source, target, dirs_exist_ok=True)
    path = os.path.join(target, "tokenizer_config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    config["tokenizer_class"] = tokenizer_class
    write(target, "tokenizer_config.json", config)


def reference(folder):
    lib = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tok = AutoTokenizer.from_pretrained(folder)
    out = {"library": [], "plain": [], "special": [], "decoded": [], "decoded_special": []}
    for text in TEXTS:
        out["library"].append(lib.encode(text, add_special_tokens=False).ids)
        plain = tok(text, add_special_tokens=False)["input_ids"]
        special = tok(text, add_special_tokens=True)["input_ids"]
        out["plain"].append(plain)
        out["special"].append(special)
        out["decoded"].append(tok.decode(plain, skip_special_tokens=True))
        out["decoded_special"].append(tok.decode(special, skip_special_tokens=True))
    out["tokens"] = {name: getattr(tok, name) for name in ("bos_token", "eos_token", "pad_token", "unk_token")}
    out["ids"] = {name: getattr(tok, name + "_id") for name in ("bos_token", "eos_token", "pad_token", "unk_token")}
    out["model_max_length"] = tok.model_max_length
    out["vocab_size"] = len(tok)
    return out


def main():
    root = sys.argv[1]
    train_byte_level(os.path.join(root, "byte-level"))
    train_sentencepiece(os.path.join(root, "sentencepiece"))
    copy_with_class(os.path.join(root, "byte-level"), os.path.join(root, "byte-level-gpt2"), "GPT2Tokenizer")
    copy_with_class(os.path.join(root, "sentencepiece"), os.path.join(root, "sentencepiece-llama"), "LlamaTokenizer")
    result = {"texts": TEXTS}
    for name in ("byte-level", "sentencepiece", "byte-level-gpt2", "sentencepiece-llama"):
        result[name] = reference(os.path.join(root, name))
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
