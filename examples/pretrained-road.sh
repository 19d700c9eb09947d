#!/usr/bin/env bash
# The offline pretrained road, end to end, as a researcher with a downloaded model and TOFU's files would walk it,
# on Lethe's own small base model and built-in fictitious facts (nothing is downloaded):
#   1. ./lethe base                          a Llama-family base model folder with its BPE tokenizer and ChatML template
#   2. pretrained-road-retain.yaml           TOFU's retain model: the base finetuned without the forget split, saved
#   3. pretrained-road.yaml                  the base finetuned on every split (the target model), the retain model
#                                            loaded as the reference (reference: {hf: DIR}), NPO + retain NLL,
#                                            evaluation (TOFU's 9-part model_utility, forget quality, PrivLeak), save
#   4. pretrained-road-reload.yaml           the saved folder read back and evaluated again
# and checks that every metric of step 4 equals step 3's for the unlearned model (exit 1 otherwise).
#
# Usage: examples/pretrained-road.sh [--quick]
#   --quick   a base model pretrained for 40 steps instead of 600 (what CI runs); the recipes are the same.
# Everything goes into target/pretrained-road/ (made anew each time: the script owns that folder). The model cache is
# not used, so every model is trained here.
set -euo pipefail
cd "$(dirname "$0")/.."

base_steps=600          # BaseModel's default: a few minutes on 2 cores
case "${1:-}" in
  --quick) base_steps=40 ;;
  "") ;;
  *) echo "usage: examples/pretrained-road.sh [--quick]" >&2; exit 2 ;;
esac

work=target/pretrained-road
recipes=examples/recipes
start=$(date +%s)
rm -rf "$work"
mkdir -p "$work"

# The directory `lethe run` printed ("run directory: DIR"), from its saved output.
run_dir() { sed -n 's/^run directory: //p' "$1" | tail -n 1; }

echo "== 1/4 base model (./lethe base, $base_steps steps)"
./lethe base --out "$work/base" --steps "$base_steps"

echo "== 2/4 retain model ($recipes/pretrained-road-retain.yaml)"
./lethe run "$recipes/pretrained-road-retain.yaml" --runs "$work/runs" --no-cache --quiet | tee "$work/retain.out"
cp -r "$(run_dir "$work/retain.out")/models/retain-model" "$work/retain-model"

echo "== 3/4 finetune, reference, NPO, evaluate, save ($recipes/pretrained-road.yaml)"
./lethe run "$recipes/pretrained-road.yaml" --runs "$work/runs" --no-cache --quiet | tee "$work/road.out"
road=$(run_dir "$work/road.out")
cp -r "$road/models/unlearned" "$work/unlearned"

echo "== 4/4 the saved folder read back ($recipes/pretrained-road-reload.yaml)"
./lethe run "$recipes/pretrained-road-reload.yaml" --runs "$work/runs" --no-cache --quiet | tee "$work/reload.out"
reload=$(run_dir "$work/reload.out")

# metrics.csv: model,stage,split,metric,value,step. The final rows (stage evaluate) of `unlearned` in step 3 and of
# `initial` (the folder read back) in step 4, keyed by split and metric.
finals() { awk -F, -v m="$2" '$2 == "evaluate" && $1 == m { print $3 "," $4 "," $5 }' "$1/metrics.csv" | sort; }
finals "$road" unlearned > "$work/unlearned.csv"
finals "$reload" initial > "$work/reloaded.csv"

echo "== TOFU's model utility (the harmonic mean of its 9 parts) and the cross-model metrics"
awk -F, '$4 == "model_utility" || $4 == "forget_quality" || $4 == "privleak" {
  printf "%-10s %-28s %-15s %s\n", $1, $3, $4, $5 }' "$road/metrics.csv"

if ! grep -q ',model_utility,' "$work/unlearned.csv"; then
  echo "pretrained road: FAILED: the unlearned model has no model_utility in $road/metrics.csv" >&2
  exit 1
fi
# every metric of the unlearned model, and only those, with equal values (relative difference at most 1e-9)
if ! awk -F, 'NR == FNR { a[$1 "," $2] = $3; next }
     { k = $1 "," $2; if (!(k in a)) { print "only after reloading: " k; bad = 1; next }
       d = a[k] - $3; if (d < 0) d = -d; m = a[k] < 0 ? -a[k] : a[k];
       if (d > 1e-9 * (m > 1 ? m : 1)) { print "differs: " k " " a[k] " vs " $3; bad = 1 }
       delete a[k] }
     END { for (k in a) { print "missing after reloading: " k; bad = 1 }; exit bad }' \
     "$work/unlearned.csv" "$work/reloaded.csv"; then
  echo "pretrained road: FAILED: the saved folder read back does not measure as the unlearned model did" >&2
  exit 1
fi
echo "pretrained road: the saved folder read back gives the same $(wc -l < "$work/unlearned.csv") metrics" \
  "(model_utility $(awk -F, '$2 == "model_utility" { print $3 }' "$work/unlearned.csv")) in $(( $(date +%s) - start )) s"
