#!/usr/bin/env bash
# Writes and reads a GPT-2-small-sized checkpoint (weights + Adam's moments, 1.4 GB) under a heap limit, to
# show what a checkpoint costs in time and Java memory: bench/checkpoint-io.sh [HEAP, default 512m]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
heap=${1:-512m}
"$here/lethe" --version >/dev/null   # builds the jar if needed
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp="$here/dsl/target/lethe-dsl-0.1.0-SNAPSHOT.jar:$here/dsl/target/lib/*"
javac -d "$work" -cp "$cp" "$here/bench/java/CheckpointIo.java"
echo "heap limit $heap (direct buffers are limited to the same by default)"
java -Xmx"$heap" -Dai.djl.offline=true -cp "$cp:$work" CheckpointIo
