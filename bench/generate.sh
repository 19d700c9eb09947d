#!/usr/bin/env bash
# Generation speed, Lethe's Generator vs transformers' generate (torch 2.13, the code a researcher would
# otherwise run): a GPT-2-small-shaped model with random weights, greedy with the KV cache, eos off, a batch of
# random prompts of --prompt tokens each continued by --new-tokens. Runs --rounds alternating rounds per batch
# size (Lethe then transformers, transformers then Lethe, ...: slow phases of a shared machine hit both sides
# alike), one process per side and round, and prints per batch size both sides' median ms per generated token
# (per step of the whole batch), tokens/s, and the median of the per-round ratios Lethe / transformers with
# their spread (summary.py; memory is not measured here, its columns read 0).
#
#   bench/generate.sh [--batches "1 8"] [--prompt 16] [--new-tokens 128] [--threads 1] [--rounds 5] [--repeats 1]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
batches="1 8" prompt=16 new=128 threads=1 rounds=5 repeats=1
while [ $# -gt 0 ]; do
  case "$1" in
    --batches) batches=$2; shift 2 ;;
    --prompt) prompt=$2; shift 2 ;;
    --new-tokens) new=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "generate.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
python=$(bash "$here/bench/python-env.sh")
"$here/lethe" --version >/dev/null   # builds the jar if needed
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp="$here/dsl/target/lethe-dsl-0.1.0-SNAPSHOT.jar:$here/dsl/target/lib/*"
javac -d "$work" -cp "$cp" "$here/bench/java/GenerateBench.java"
echo "GPT-2-small shape, random weights, batch(es) $batches x $prompt prompt tokens + $new new, greedy, KV cache,"
echo "$threads thread(s), F32, $rounds alternating rounds; load average now $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "round,step,side,median_ms,peak_mib" > "$work/rounds.csv"
lethe_side() {  # batch, round
  IFS=, read -r ms tps < <(java -Xmx2g -Dai.djl.offline=true -cp "$cp:$work" GenerateBench "$1" "$prompt" "$new" \
    "$threads" "$repeats" 2>"$work/l.err" | tail -1) || { cat "$work/l.err" >&2; exit 1; }
  echo "$2,generate-b$1,lethe,$ms,0" >> "$work/rounds.csv"
  echo "round $2 batch $1 lethe $ms ms/token $tps tokens/s" >&2
}
torch_side() {
  IFS=, read -r ms tps < <("$python" "$here/bench/python/generate_bench.py" "$1" "$prompt" "$new" "$threads" \
    "$repeats" 2>"$work/t.err" | tail -1) || { cat "$work/t.err" >&2; exit 1; }
  echo "$2,generate-b$1,pytorch,$ms,0" >> "$work/rounds.csv"
  echo "round $2 batch $1 transformers $ms ms/token $tps tokens/s" >&2
}
steps=""
for b in $batches; do steps="$steps generate-b$b"; done
for r in $(seq 1 "$rounds"); do
  for b in $batches; do
    if [ $((r % 2)) = 1 ]; then lethe_side "$b" "$r"; torch_side "$b" "$r"; else torch_side "$b" "$r"; lethe_side "$b" "$r"; fi
  done
done
"$python" "$here/bench/python/summary.py" "$work/rounds.csv" $steps
echo "ms = per generated token (one step of the whole batch, prefill included); tokens/s = batch x 1000 / ms"
