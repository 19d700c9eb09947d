"""ROUGE-L as Google's rouge_score computes it, the reference for Lethe's RougeL and PorterStemmer.

Usage: rouge_reference.py IN.json

IN.json holds {"words": [...], "pairs": [[reference, prediction], ...]}. Prints, as JSON on standard output:
  stems   NLTK's PorterStemmer() (default NLTK_EXTENSIONS mode) stem of each word
  tokens  rouge_score's tokens of each pair's reference and prediction with use_stemmer=True
  scores  [precision, recall, fmeasure] of rougeL per pair with use_stemmer=True
  plain   the same with use_stemmer=False
  source  "rouge_score" when the package is installed, else "nltk": rouge_score's tokenize.tokenize and
          _score_lcs reproduced below with nltk's PorterStemmer (rouge_score is not in this machine's wheel
          store; nltk is)
"""
import json
import re
import sys

from nltk.stem import porter

STEMMER = porter.PorterStemmer()

try:
    from rouge_score import rouge_scorer, tokenize as rs_tokenize

    SOURCE = "rouge_score"
except ImportError:
    SOURCE = "nltk"


def tokens(text, stem):
    """rouge_score 0.1.2 tokenize.tokenize(text, stemmer)."""
    if SOURCE == "rouge_score":
        return rs_tokenize.tokenize(text, STEMMER if stem else None)
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    toks = re.split(r"\s+", text)
    if stem:
        toks = [STEMMER.stem(x) if len(x) > 3 else x for x in toks]
    return [x for x in toks if re.match(r"^[a-z0-9]+$", x)]


def lcs(a, b):
    rows, cols = len(a), len(b)
    t = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            t[i][j] = t[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(t[i - 1][j], t[i][j - 1])
    return t[rows][cols]


def rouge_l(reference, prediction, stem):
    """rouge_score's rougeL: _score_lcs(target_tokens, prediction_tokens)."""
    if SOURCE == "rouge_score":
        s = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=stem).score(reference, prediction)["rougeL"]
        return [s.precision, s.recall, s.fmeasure]
    ref, pred = tokens(reference, stem), tokens(prediction, stem)
    if not ref or not pred:
        return [0.0, 0.0, 0.0]
    n = lcs(ref, pred)
    p, r = n / len(pred), n / len(ref)
    return [p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    pairs = spec.get("pairs", [])
    json.dump({
        "source": SOURCE,
        "stems": [STEMMER.stem(w) for w in spec.get("words", [])],
        "tokens": [[tokens(r, True), tokens(p, True)] for r, p in pairs],
        "scores": [rouge_l(r, p, True) for r, p in pairs],
        "plain": [rouge_l(r, p, False) for r, p in pairs],
    }, sys.stdout)


if __name__ == "__main__":
    main()
