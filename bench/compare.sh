#!/usr/bin/env bash
# Lethe vs its PyTorch twin, same model, batch, sequence length, dtype (F32), threads and steps, one step type
# per process (so each peak-memory figure is its own). Prints ms/step of both and the ratio Lethe / PyTorch,
# and peak memory growth of each step type; then checks numerics (same initial weights -> same losses, 1e-4).
#
#   bench/compare.sh [--model quickstart|gpt2-small] [--batch 8] [--length 32] [--steps 20] [--warmup 3]
#                    [--threads 1] [--steps-types "forward first_order zeroth_order sam"]
#
# PyTorch comes from Debian's python3-torch, installed here when missing (needs root; apt-get).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
model=quickstart batch=8 length=32 steps=20 warmup=3 threads=1 types="forward first_order zeroth_order sam"
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --length) length=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --step-types) types=$2; shift 2 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

python=/usr/bin/python3
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "compare.sh: installing Debian's python3-torch..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-torch >&2
  else sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends python3-torch >&2; fi
fi
torch_version=$("$python" -c 'import torch; print(torch.__version__)')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "model $model, batch $batch x $length tokens, $warmup warm-up + $steps timed steps, $threads thread(s), F32"
echo "Lethe $(sed -n 's/.*VERSION = "\(.*\)".*/\1/p' "$here/dsl/src/main/java/dev/lethe/Lethe.java") (DJL 0.36, libtorch 2.7.1) vs PyTorch $torch_version"
printf '%-13s %12s %12s %8s %14s %14s\n' step "lethe ms" "pytorch ms" ratio "lethe +MiB" "pytorch +MiB"
for t in $types; do
  LETHE_JAVA_OPTS="-Dlethe.threads=$threads -Xms1g -Xmx1g -XX:+AlwaysPreTouch" "$here/lethe" bench --model "$model" --batch "$batch" --length "$length" \
    --steps "$steps" --warmup "$warmup" --step "$t" --csv "$work/lethe-$t.csv" >/dev/null 2>"$work/lethe-$t.err" \
    || { cat "$work/lethe-$t.err" >&2; exit 1; }
  "$python" "$here/bench/python/twin.py" bench --model "$model" --batch "$batch" --length "$length" --steps "$steps" \
    --warmup "$warmup" --threads "$threads" --step "$t" > "$work/torch-$t.csv"
  IFS=, read -r _ lms _ lmem < <(sed -n 2p "$work/lethe-$t.csv")
  IFS=, read -r _ tms _ tmem < "$work/torch-$t.csv"
  printf '%-13s %12.2f %12.2f %8.3f %14.1f %14.1f\n' "$t" "$lms" "$tms" "$(awk -v a="$lms" -v b="$tms" 'BEGIN { print a / b }')" "$lmem" "$tmem"
done

echo
echo "numerics: same initial weights and batch, 5 AdamW steps of NPO + retain NLL"
"$here/lethe" bench --model quickstart --batch 4 --length 16 --export-twin "$work/twin" >/dev/null 2>"$work/export.err" \
  || { cat "$work/export.err" >&2; exit 1; }
"$python" "$here/bench/python/twin.py" check "$work/twin"
