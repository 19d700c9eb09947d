#!/usr/bin/env bash
# Lethe vs Hugging Face transformers' own model (torch 2.13, the code a researcher would otherwise run) on
# pretrained-family shapes with random weights: SmolLM-135M and Llama-3.2-1B (see `lethe bench --help`), the
# same batch, sequence length, float32, thread count and steps: forward, no-grad loss (NLL), a LoRA step (rank 8
# on q/v, AdamW), a MeZO-SGD step (full weights, in place) and greedy KV-cached generation of --new-tokens tokens
# for batches of 1 and 8 (tokens/s). One step type per process, so each peak-memory figure is its own.
#
# For every model and thread count (1 and all cores) it runs --rounds alternating rounds of every step type
# (Lethe then transformers, transformers then Lethe, ...: slow phases of a shared machine hit both sides alike)
# and prints per step type both sides' median ms, the median of the per-round ratios Lethe / transformers with
# their spread (min-max, interquartile range), the memory growth during the steps, the whole peak resident
# memory and the MeZO step's peak against the no-grad loss's (goal <= 1.1x at 1B). Then, at one thread, a
# per-op profile of each step on each side (libtorch's profiler through DJL, torch.profiler in Python): time in
# GEMMs, in fused attention kernels and the rest, with the operators that hold the most of the rest.
#
#   bench/hf-compare.sh [--models "smollm-135m llama-3.2-1b"] [--threads "1 all"] [--rounds 5]
#                       [--batch 8] [--length 32] [--steps 5] [--warmup 2] [--gen-steps 3] [--gen-warmup 1]
#                       [--new-tokens 128] [--step-types "forward loss lora zeroth_order generate_b1 generate_b8"]
#                       [--no-profile] [--csv DIR]   (DIR: every round's figures, one CSV per model and threads)
#   bench/hf-compare.sh --quick   a tiny Llama-3-shaped model, 2 rounds, few steps: checks the script in a few
#                                 minutes (mostly JVM and torch start-up; options after --quick override it)
# A model may also be a Hugging Face folder (its config.json and weights are used on both sides).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
models="smollm-135m llama-3.2-1b" thread_counts="1 all" rounds=5 batch=8 length=32 steps=5 warmup=2
gen_steps=3 gen_warmup=1 new=128 types="forward loss lora zeroth_order generate_b1 generate_b8" profile=1 csv=""
positive() { case "$2" in ''|*[!0-9]*|0) echo "hf-compare.sh: $1 must be a positive integer, was '$2'" >&2; exit 2 ;; esac; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) models="tiny-llama3" rounds=2 batch=2 length=16 steps=2 warmup=1 gen_steps=1 gen_warmup=1
             new=8; shift ;;
    --models) models=$2; shift 2 ;;
    --threads) thread_counts=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --length) length=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --gen-steps) gen_steps=$2; shift 2 ;;
    --gen-warmup) gen_warmup=$2; shift 2 ;;
    --new-tokens) new=$2; shift 2 ;;
    --step-types) types=$2; shift 2 ;;
    --no-profile) profile=0; shift ;;
    --csv) csv=$2; shift 2 ;;
    -h|--help) sed -n 2,22p "$0"; exit 0 ;;
    *) echo "hf-compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in rounds batch length steps gen_steps new; do positive "--${v//_/-}" "${!v}"; done
case "$warmup$gen_warmup" in *[!0-9]*) echo "hf-compare.sh: --warmup and --gen-warmup must be integers >= 0" >&2; exit 2 ;; esac
for t in $thread_counts; do [ "$t" = all ] || positive --threads "$t"; done
[ -n "$models" ] && [ -n "$types" ] || { echo "hf-compare.sh: --models and --step-types must not be empty" >&2; exit 2; }
if [ -n "$csv" ]; then mkdir -p "$csv"; csv=$(cd "$csv" && pwd); fi

python=$(bash "$here/bench/python-env.sh")
source "$here/bench/versions.sh"
"$here/lethe" --version >/dev/null   # builds the jar if needed, before anything is timed
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Lethe vs transformers: models $models; batch $batch x $length tokens (generation: prompts of $length tokens +"
echo "$new new); $warmup warm-up + $steps timed steps ($gen_warmup + $gen_steps for generation); float32; threads $thread_counts;"
echo "$rounds alternating rounds per step type; load average now $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
print_versions

# the folder transformers builds model $1 from: a named shape's config.json written by Lethe, or the folder itself
model_dir() {
  if [ -f "$1/config.json" ]; then (cd "$1" && pwd); return; fi
  local dir=$work/model-${1//\//_}
  if [ ! -f "$dir/config.json" ]; then
    mkdir -p "$dir"
    "$here/lethe" bench --model "$1" --write-config "$dir" >/dev/null 2>"$work/config.err" \
      || { echo "hf-compare.sh: lethe could not write the config of model '$1':" >&2; cat "$work/config.err" >&2; exit 1; }
  fi
  echo "$dir"
}
# a pre-touched heap, so that peak memory is native memory: the 1B shape's embedding is drawn as one float[] of 1 GiB
# (a folder's tensors are streamed into native memory and need no large heap)
heap_for() { case "$1" in llama-3.2-1b) echo 2g ;; *) echo 1g ;; esac; }
sizes() {  # step type -> the warm-up and timed step options
  case "$1" in generate_b*) echo "--warmup $gen_warmup --steps $gen_steps" ;; *) echo "--warmup $warmup --steps $steps" ;; esac
}
lethe_side() {  # model, threads, step type, round [, profile trace]
  local heap; heap=$(heap_for "$1")
  # shellcheck disable=SC2046
  LETHE_JAVA_OPTS="-Xms$heap -Xmx$heap -XX:+AlwaysPreTouch" "$here/lethe" bench --model "$1" --threads "$2" \
    --batch "$batch" --length "$length" --new-tokens "$new" $(sizes "$3") --step "$3" --csv "$work/l.csv" \
    ${5:+--profile "$5"} >/dev/null 2>"$work/l.err" \
    || { echo "hf-compare.sh: lethe bench failed (model $1, $2 thread(s), step $3):" >&2; cat "$work/l.err" >&2; exit 1; }
  [ -n "${5:-}" ] && return
  IFS=, read -r _ ms _ mib nat < <(sed -n 2p "$work/l.csv")
  echo "$4,$3,lethe,$ms,$mib,$nat" >> "$work/rounds.csv"
}
torch_side() {  # model, threads, step type, round [, profile trace]
  # shellcheck disable=SC2046
  "$python" "$here/bench/python/hf_twin.py" --model-dir "$(model_dir "$1")" --threads "$2" --batch "$batch" \
    --length "$length" --new-tokens "$new" $(sizes "$3") --step "$3" ${5:+--profile "$5"} >"$work/t.csv" 2>"$work/t.err" \
    || { echo "hf-compare.sh: hf_twin.py failed (model $1, $2 thread(s), step $3):" >&2; cat "$work/t.err" >&2; exit 1; }
  [ -n "${5:-}" ] && return
  IFS=, read -r _ ms _ mib nat < <(tail -1 "$work/t.csv")
  echo "$4,$3,pytorch,$ms,$mib,$nat" >> "$work/rounds.csv"
}

for model in $models; do
  dir=$(model_dir "$model")
  echo
  echo "== $model: $("$python" "$here/bench/python/hf_twin.py" --model-dir "$dir" --describe 2>"$work/t.err" \
    || { cat "$work/t.err" >&2; exit 1; })"
  for t in $thread_counts; do
    [ "$t" = all ] && t=$(nproc)
    echo "round,step,side,median_ms,peak_mib,peak_native_mib" > "$work/rounds.csv"
    for r in $(seq 1 "$rounds"); do
      for s in $types; do
        if [ $((r % 2)) = 1 ]; then lethe_side "$model" "$t" "$s" "$r"; torch_side "$model" "$t" "$s" "$r"
        else torch_side "$model" "$t" "$s" "$r"; lethe_side "$model" "$t" "$s" "$r"; fi
      done
      echo "$model, $t thread(s): round $r/$rounds done (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
      [ -z "$csv" ] || cp "$work/rounds.csv" "$csv/${model//\//_}-threads$t.csv"
    done
    echo
    echo "-- $model, $t thread(s)  (ms: per step; generate_bN: per generation of $new tokens for N prompts)"
    "$python" "$here/bench/python/summary.py" "$work/rounds.csv" $types
  done
  if [ "$profile" = 1 ]; then
    echo
    echo "-- $model, per-op profile at 1 thread (ms per step)"
    echo "side,wall_ms,gemm_ms,attention_ms,other_ms,between_ops_ms,calls,top_other_ops" > "$work/profile.csv"
    for s in $types; do
      lethe_side "$model" 1 "$s" 0 "$work/lethe-$s.json"
      torch_side "$model" 1 "$s" 0 "$work/torch-$s.json"
      n=$steps; case "$s" in generate_b*) n=$gen_steps ;; esac
      "$python" "$here/bench/python/op_profile.py" "$work/lethe-$s.json" "$n" --side "$s lethe" --csv >> "$work/profile.csv"
      "$python" "$here/bench/python/op_profile.py" "$work/torch-$s.json" "$n" --side "$s transformers" --csv >> "$work/profile.csv"
    done
    "$python" - "$work/profile.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'step / side':<26} {'wall':>9} {'gemm':>9} {'attention':>9} {'other':>9} {'(between)':>9} {'gemm %':>6} "
      f"{'ops':>6}  top other ops (self ms)")
for r in rows:
    wall, gemm = float(r["wall_ms"]), float(r["gemm_ms"])
    print(f"{r['side']:<26} {wall:9.2f} {gemm:9.2f} {float(r['attention_ms']):9.2f} {float(r['other_ms']):9.2f} "
          f"{float(r['between_ops_ms']):9.2f} {100 * gemm / wall if wall else 0:6.1f} {r['calls']:>6}  "
          f"{r['top_other_ops'].replace(';', ', ')}")
print("wall: the profiled steps' span per step (profiler overhead included: compare with the timed medians above);"
      " between: time outside any operator; ops: outermost operator calls per step")
PY
    [ -z "$csv" ] || cp "$work/profile.csv" "$csv/${model//\//_}-profile.csv"
  fi
done
