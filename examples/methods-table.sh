#!/usr/bin/env bash
# The method table of issue 17: every method of examples/recipes/methods/ next to NPO+RT (the quickstart recipe,
# examples/recipes/quickstart-npo.yaml), all from the same learned model (seed 42, built-in fictitious facts; the
# learned and reference models are trained once and then come from the model cache), each followed by the same
# attacks (int4 quantization; 20 relearning steps on 5 forget examples). Prints one Markdown table: per method the
# unlearned model and its two attacked copies, with forget / retain / world exact match, the forget NLL, forget
# quality, TOFU's model utility and PrivLeak (the quickstart's headline columns, from each run's report/tables.txt).
#
# Usage: examples/methods-table.sh [--jobs N]   (N runs at a time after the first; default 1)
# Runs go into target/methods-table/runs (the script owns target/methods-table/ and makes it anew); the table is also
# written to target/methods-table/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=1
case "${1:-}" in
  --jobs) jobs=${2:?--jobs needs a number}; [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "--jobs: a positive integer" >&2; exit 2; } ;;
  "") ;;
  *) echo "usage: examples/methods-table.sh [--jobs N]" >&2; exit 2 ;;
esac
work=target/methods-table
rm -rf "$work"
mkdir -p "$work/out"
./lethe --version >/dev/null   # builds the jar once, before runs start in parallel

run() {  # recipe -> its run directory's path in $work/out/<name>.dir
  local name; name=$(basename "$1" .yaml)
  ./lethe run "$1" --runs "$work/runs" --quiet > "$work/out/$name.log" 2>&1 \
    || { echo "methods-table.sh: $1 failed; the end of its log:" >&2; tail -20 "$work/out/$name.log" >&2; return 1; }
  sed -n 's/^run directory: //p' "$work/out/$name.log" | tail -n 1 > "$work/out/$name.dir"
}
export -f run
export work
start=$(date +%s)
run examples/recipes/quickstart-npo.yaml         # trains the learned and reference models the others reuse
ls examples/recipes/methods/*.yaml | xargs -P "$jobs" -I{} bash -c 'run {}'

echo "| method | model | forget EM | retain EM | world EM | forget NLL | forget quality | utility | privleak |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in quickstart-npo $(ls examples/recipes/methods/*.yaml | xargs -n1 basename | sed 's/\.yaml$//'); do
  dir=$(cat "$work/out/$name.dir")
  label=$name; [ "$name" = quickstart-npo ] && label="NPO+RT (quickstart)"
  # the headline: the first table of tables.txt, a row per model (columns as in the header above)
  awk -v m="$label" 'NR > 2 && NF == 0 { exit } NR > 2 && $1 ~ /^unlearned/ {
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", m, $1, $2, $3, $4, $5, $6, $7, $8 }' "$dir/report/tables.txt"
done | tee "$work/table.md"
echo "(seed 42; $(($(date +%s) - start)) s; runs in $work/runs)"
