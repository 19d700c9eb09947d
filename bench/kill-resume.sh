#!/usr/bin/env bash
# Kill -9 trials of a full-size run: runs a recipe once without interruption, then TRIALS times starts it,
# kills the process (SIGKILL) at a random moment, continues it with `lethe run --resume`, and compares the
# resumed run's metrics.csv with the uninterrupted one's, byte for byte. Prints one line per trial.
#
#   bench/kill-resume.sh [--recipe examples/recipes/quickstart-npo.yaml] [--trials 5] [--checkpoint-every 25]
#                        [--seed 1] [--cache] [--in-stage STAGE]
# --cache takes the learned and reference models from the model cache, so the kills land in unlearning,
# attacks and evaluation; without it every run trains them, which takes most of its time, so most kills land
# in training. --in-stage STAGE (e.g. unlearn-2) waits for the first mid-stage checkpoint of that stage, then
# kills at a random moment within the next 0.3 s.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
recipe=$here/examples/recipes/quickstart-npo.yaml trials=5 every=25 seed=1 cache=--no-cache stage=""
while [ $# -gt 0 ]; do
  case "$1" in
    --recipe) recipe=$2; shift 2 ;;
    --trials) trials=$2; shift 2 ;;
    --checkpoint-every) every=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --cache) cache=""; shift ;;
    --in-stage) stage=$2; shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "kill-resume.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RANDOM=$seed
opts=($cache --quiet --checkpoint-every "$every")

"$here/lethe" --version >/dev/null   # builds the jar if needed, outside the timings
# a copy of the build, so that every run of the trials uses the same code even if the sources change meanwhile
mkdir -p "$work/build" && cp "$here"/dsl/target/lethe-dsl-*.jar "$work/build/" && cp -r "$here/dsl/target/lib" "$work/build/"
lethe() { java -Dai.djl.offline=true -cp "$work/build/*:$work/build/lib/*" dev.lethe.cli.LetheCommand "$@"; }
start=$(date +%s.%N)
lethe run "$recipe" --runs "$work/baseline" "${opts[@]}" >"$work/baseline.log" 2>&1
total=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
expected=$(ls -d "$work"/baseline/*/)metrics.csv
echo "uninterrupted run: ${total} s, $(wc -l <"$expected") metric rows; checkpoint every $every steps"
printf '%-6s %9s %-58s %10s %s\n' trial "killed at" "last event written before the kill" "resume s" "metrics.csv"
identical=0
for t in $(seq 1 "$trials"); do
  runs=$work/trial$t
  java -Dai.djl.offline=true -cp "$work/build/*:$work/build/lib/*" dev.lethe.cli.LetheCommand run "$recipe" \
    --runs "$runs" "${opts[@]}" >"$work/trial$t.log" 2>&1 &
  pid=$!
  if [ -n "$stage" ]; then
    t0=$(date +%s.%N)
    until grep -s -A1 '"mid_stage"' "$runs"/*/checkpoints/manifest.json | grep -q "\"$stage\""; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.02
    done
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 * r / 32768 }')"
    at=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  else
    at=$(awk -v r="$RANDOM" -v T="$total" 'BEGIN { printf "%.1f", 3 + (r / 32768) * (T - 6) }')
    sleep "$at"
  fi
  if ! kill -9 "$pid" 2>/dev/null; then echo "trial $t: the run ended before the kill" >&2; continue; fi
  wait "$pid" 2>/dev/null || true
  dir=$(ls -d "$runs"/*/)
  if [ -f "$dir/metrics.csv" ] && tail -n 1 "$dir/events.jsonl" | grep -q '"event":"run_finished"'; then
    echo "trial $t: killed after the run had finished" >&2; continue
  fi
  last=$(tail -n 1 "$dir/events.jsonl" 2>/dev/null | sed 's/"total_steps".*//; s/[{}"]//g' | cut -c1-58)
  if [ -n "$stage" ]; then   # the newest mid-stage checkpoint on disk when the process died
    last="checkpoint $(grep -A2 '"mid_stage"' "$dir/checkpoints/manifest.json" | tr -d ' \n"' | sed 's/mid_stage:{//' || true)"
  fi
  rstart=$(date +%s.%N)
  lethe run --resume "$dir" "${opts[@]}" >"$work/resume$t.log" 2>&1 || { cat "$work/resume$t.log" >&2; exit 1; }
  rtime=$(awk -v a="$rstart" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if cmp -s "$expected" "$dir/metrics.csv"; then same=identical; identical=$((identical + 1)); else same=DIFFERENT; fi
  printf '%-6s %8ss %-58s %10s %s\n' "$t" "$at" "$last" "$rtime" "$same"
done
echo "$identical of $trials resumed runs wrote the uninterrupted metrics.csv byte for byte"
[ "$identical" = "$trials" ]
