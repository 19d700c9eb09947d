#!/usr/bin/env bash
# Makes (once) and names the Python environment that Lethe's benchmarks and reference checks compare against:
# torch 2.13.0+cpu (oneMKL, the build pip users get) and Hugging Face transformers 5.18.0 with its tokenizers,
# safetensors and jinja2, and nltk (the Porter stemmer rouge_score uses; rouge_reference.py), in a venv
# outside the repository ($LETHE_BENCH_VENV, default ~/.cache/lethe/bench-venv). Installs from a local wheel
# store when the machine has one (folders holding the wheels; $LETHE_WHEELS names one, else they are looked for
# on this filesystem), else from PyPI.
#
#   bench/python-env.sh          prints the venv's python on stdout (progress on stderr); exit 1 if it cannot
#   bench/python-env.sh --check  exit 0 when the venv is ready, 1 otherwise; installs nothing
# The venv's file lethe-torch-source says where the packages came from.
set -euo pipefail
torch_want=2.13.0+cpu
transformers_want=5.18.0
venv=${LETHE_BENCH_VENV:-$HOME/.cache/lethe/bench-venv}
python=$venv/bin/python
ready() {
  "$python" -c "import torch, transformers, numpy, nltk, sys; sys.exit(torch.__version__ != '$torch_want' or transformers.__version__ != '$transformers_want')" 2>/dev/null
}
if ready; then echo "$python"; exit 0; fi
[ "${1:-}" = --check ] && exit 1

links=()
stores=()
[ -n "${LETHE_WHEELS:-}" ] && stores+=("$LETHE_WHEELS")
while IFS= read -r w; do stores+=("$(dirname "$w")"); done < <(
  find / -xdev \( -name "torch-${torch_want}-*.whl" -o -name "transformers-${transformers_want}-*.whl" \) -print 2>/dev/null || true)
if [ ${#stores[@]} -gt 0 ]; then
  # the stores' sibling folders hold the dependencies (numpy, sympy, tokenizers, huggingface-hub, ...)
  while IFS= read -r d; do links+=(--find-links "$d"); done < <(
    for s in "${stores[@]}"; do echo "$s"; find "$(dirname "$s")" -maxdepth 3 -name '*.whl' -printf '%h\n' 2>/dev/null; done | sort -u)
fi
echo "python-env.sh: making $venv with torch $torch_want and transformers $transformers_want..." >&2
if [ ! -x "$python" ]; then
  /usr/bin/python3 -m venv "$venv" >&2 || python3 -m venv "$venv" >&2
fi
if [ ${#links[@]} -gt 0 ] && "$venv/bin/pip" install -q --no-index "${links[@]}" "torch==$torch_want" \
    "transformers==$transformers_want" numpy nltk >&2; then
  echo "local wheel store(s) ${stores[*]}" > "$venv/lethe-torch-source"
else
  "$venv/bin/pip" install -q --extra-index-url https://download.pytorch.org/whl/cpu "torch==$torch_want" \
    "transformers==$transformers_want" numpy nltk >&2
  echo "PyPI" > "$venv/lethe-torch-source"
fi
ready || { echo "python-env.sh: $venv still lacks torch $torch_want or transformers $transformers_want" >&2; exit 1; }
echo "$python"
