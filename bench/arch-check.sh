#!/usr/bin/env bash
# Lethe's model families against Hugging Face transformers itself. Builds every case of
# bench/python/hf_reference.py (a tiny random model per family and config variant, saved with save_pretrained
# as F32/F16/BF16, single or sharded, with transformers' logits and 40-token greedy continuation) into a temp
# folder, runs ArchitectureCheckTest on them, and prints one line per case:
#   <case> max|Δlogit| <value> greedy-40 <same|differs>
# (or "<case> skipped: ..." for a family Lethe does not support yet). Exits non-zero when any case misses
# (max |Δlogit| > 1e-4, a different greedy continuation, or a failed save round trip).
#   bench/arch-check.sh [CASE...]     default: every case
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
python=$(bash "$here/bench/python-env.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases=("$@")
[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <("$python" "$here/bench/python/hf_reference.py" cases)
make=(make --out "$work/cases")
for c in "${cases[@]}"; do make+=(--case "$c"); done
[ ${#cases[@]} -eq 1 ] && make[2]="$work/cases/${cases[0]}"
"$python" "$here/bench/python/hf_reference.py" "${make[@]}" 2>"$work/make.err" \
  || { cat "$work/make.err" >&2; echo "arch-check.sh: hf_reference.py ${make[*]} failed" >&2; exit 1; }
status=0
(cd "$here" && LETHE_ARCH_CHECK_CASES="$work/cases" LETHE_ARCH_CHECK_REPORT="$work/report.txt" \
  mvn -B -q -ntp -pl dsl test -Dtest=ArchitectureCheckTest -Dsurefire.failIfNoSpecifiedTests=false \
  >"$work/mvn.log" 2>&1) || status=$?
[ -f "$work/report.txt" ] && cat "$work/report.txt"
if [ "$status" -ne 0 ]; then
  grep -E "ArchitectureCheckTest|max \|Δlogit\||greedy continuation|expected" "$work/mvn.log" | head -40 >&2 || true
  echo "arch-check.sh: some case misses (mvn exited $status)" >&2
fi
exit "$status"
