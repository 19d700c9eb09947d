#!/usr/bin/env bash
# Lethe vs its PyTorch twin, same model, batch, sequence length, dtype (F32), threads and steps, one step type
# per process (so each peak-memory figure is its own). Runs --rounds alternating rounds of every step type
# (Lethe then PyTorch, PyTorch then Lethe, ...: slow phases of a shared machine hit both sides alike) and
# prints, per step type, both sides' median ms/step, the median of the per-round ratios Lethe / PyTorch and
# their spread (min-max and interquartile range); then checks numerics (same weights -> same losses, 1e-4).
#
#   bench/compare.sh [--model quickstart|gpt2-small] [--batch B] [--length T] [--steps N] [--warmup W]
#                    [--threads 1] [--rounds 5] [--step-types "forward first_order zeroth_order sam"]
#                    [--csv FILE]   (every round's figures: round,step,side,median_ms,peak_mib)
#                    [--baseline DIR]  (also time the Lethe checkout in DIR, e.g. a `git worktree` of main, in the
#                                       same rounds: what a change buys, measured under the same load)
# Defaults per model: quickstart 8 x 32, 100 warm-up + 20 timed steps; gpt2-small 1 x 64, 1 warm-up + 3 timed
# steps. The quickstart's 100 warm-up steps let the JVM's JIT compile Lethe's Java code, as it has in any real
# run (the quickstart recipe trains 2 200 steps in one process); `--warmup 3` times a fresh JVM's first steps.
# A GPT-2 step takes 0.25-5 s, against about a millisecond of Java per step, so one warm-up step is enough.
#
# PyTorch is the CPU build pip users get, torch 2.13.0+cpu (oneMKL, like DJL's libtorch), in the venv that
# bench/python-env.sh makes once outside the repository (from a local wheel store when the machine has one,
# else from PyPI). The script says which torch it used, where it came from and which BLAS each side uses.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
model=quickstart batch="" length="" steps="" warmup="" threads=1 rounds=5 types="forward first_order zeroth_order sam"
csv="" baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --length) length=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --step-types) types=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    --baseline) baseline=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n 2,20p "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$model" in
  gpt2-small) : "${batch:=1}" "${length:=64}" "${steps:=3}" "${warmup:=1}" ;;
  *) : "${batch:=8}" "${length:=32}" "${steps:=20}" "${warmup:=100}" ;;
esac
case "$rounds" in ''|*[!0-9]*|0) echo "compare.sh: --rounds must be a positive integer, was '$rounds'" >&2; exit 2 ;; esac

python=$("$here/bench/python-env.sh")
source "$here/bench/versions.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "model $model, batch $batch x $length tokens, $warmup warm-up + $steps timed steps, $threads thread(s), F32,"
echo "$rounds alternating rounds per step type; load average now $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
print_versions

lethe_side() {  # step type, round[, checkout, side name] -> appends "round,step,side,ms,mib" to $work/rounds.csv
  LETHE_JAVA_OPTS="-Dlethe.threads=$threads -Xms1g -Xmx1g -XX:+AlwaysPreTouch" "${3:-$here}/lethe" bench --model "$model" \
    --batch "$batch" --length "$length" --steps "$steps" --warmup "$warmup" --step "$1" --csv "$work/l.csv" \
    >/dev/null 2>"$work/l.err" || { cat "$work/l.err" >&2; exit 1; }
  IFS=, read -r _ ms _ mib _ < <(sed -n 2p "$work/l.csv")
  echo "$2,$1,${4:-lethe},$ms,$mib" >> "$work/rounds.csv"
}
torch_side() {
  "$python" "$here/bench/python/twin.py" bench --model "$model" --batch "$batch" --length "$length" --steps "$steps" \
    --warmup "$warmup" --threads "$threads" --step "$1" > "$work/t.csv"
  IFS=, read -r _ ms _ mib < "$work/t.csv"
  echo "$2,$1,pytorch,$ms,$mib" >> "$work/rounds.csv"
}

echo "round,step,side,median_ms,peak_mib" > "$work/rounds.csv"
for r in $(seq 1 "$rounds"); do
  for t in $types; do
    if [ $((r % 2)) = 1 ]; then
      lethe_side "$t" "$r"; torch_side "$t" "$r"; [ -z "$baseline" ] || lethe_side "$t" "$r" "$baseline" baseline
    else
      [ -z "$baseline" ] || lethe_side "$t" "$r" "$baseline" baseline; torch_side "$t" "$r"; lethe_side "$t" "$r"
    fi
  done
  echo "round $r/$rounds done" >&2
  if [ -n "$csv" ]; then cp "$work/rounds.csv" "$csv"; fi
done

"$python" "$here/bench/python/summary.py" "$work/rounds.csv" $types

echo
echo "numerics: same initial weights and batch, 5 AdamW steps of NPO + retain NLL"
"$here/lethe" bench --model quickstart --batch 4 --length 16 --export-twin "$work/twin" >/dev/null 2>"$work/export.err" \
  || { cat "$work/export.err" >&2; exit 1; }
"$python" "$here/bench/python/twin.py" check "$work/twin"
