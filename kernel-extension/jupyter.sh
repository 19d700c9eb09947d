#!/usr/bin/env bash
# Lethe in Jupyter (called by ../lethe):
#   ./lethe jupyter --install          Debian's Jupyter (apt, with sudo where needed), the Kotlin kernel's jars
#                                      (Maven), the kernelspec 'lethe-kotlin' and the '%use lethe' descriptor
#   ./lethe notebook FILE [--html]     executes FILE headlessly into runs/notebooks/ (and exports HTML)
# LETHE_KERNEL_HOME (default ~/.local/share/lethe/kotlin-kernel) holds the kernel's jars.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kernel_home=${LETHE_KERNEL_HOME:-$HOME/.local/share/lethe/kotlin-kernel}
kernel_jar="$root/kernel-extension/target/lethe-kernel-0.1.0-SNAPSHOT.jar"
debs="jupyter-core jupyter-client jupyter-nbconvert python3-nbclient python3-nbformat"
jupyter=/usr/bin/jupyter   # Debian's: a python3 earlier on PATH (e.g. pyenv) may lack nbformat

die() { echo "lethe: $*" >&2; exit 1; }

jupyter_ok() {
  [ -x "$jupyter" ] && "$jupyter" nbconvert --version >/dev/null 2>&1 \
    && /usr/bin/python3 -c 'import nbclient, nbformat' >/dev/null 2>&1
}

install_jupyter() {
  jupyter_ok && return 0
  command -v apt-get >/dev/null 2>&1 \
    || die "Jupyter is missing and this is not a Debian/Ubuntu system: install jupyter (nbconvert, nbclient, nbformat) with your package manager"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=sudo
    else
      die "Jupyter is missing; install it with:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends $debs
then run ./lethe jupyter --install again"
    fi
  fi
  echo "lethe: installing Debian's Jupyter ($debs)..." >&2
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $debs >&2
  jupyter_ok || die "Jupyter was installed but '$jupyter nbconvert' does not work"
}

java_17() {
  local java=${JAVA_HOME:+$JAVA_HOME/bin/java}
  java=$(readlink -f "${java:-$(command -v java)}")
  "$java" -version 2>&1 | grep -q 'version "17' \
    || die "the Kotlin kernel 0.11 runs on JDK 17 only; $java is $("$java" -version 2>&1 | head -1) (set JAVA_HOME)"
  echo "$java"
}

fetch_kernel() {
  [ -f "$kernel_home/lib/kotlin-jupyter-kernel-0.11.0-398.jar" ] && return 0
  echo "lethe: fetching the Kotlin kernel's jars into $kernel_home/lib (Maven)..." >&2
  rm -rf "$kernel_home/lib.tmp"
  mvn -B -q -f "$root/kernel-extension/kotlin-kernel.xml" dependency:copy-dependencies \
    -DoutputDirectory="$kernel_home/lib.tmp" >&2
  rm -rf "$kernel_home/lib" && mv "$kernel_home/lib.tmp" "$kernel_home/lib"
}

build() {
  if [ ! -f "$kernel_jar" ] || [ ! -d "$root/kernel-extension/target/lib" ] \
     || [ -n "$(find "$root/pom.xml" "$root/dsl/pom.xml" "$root/dsl/src/main" "$root/kernel-extension/pom.xml" \
                 "$root/kernel-extension/src/main" -newer "$kernel_jar" -print -quit)" ]; then
    echo "lethe: building the kernel extension (mvn package, tests skipped)..." >&2
    mvn -B -q -f "$root/pom.xml" -pl kernel-extension -am -DskipTests package >&2
  fi
}

# The kernelspec (user level) and ~/.jupyter_kotlin/libraries/lethe.json, pointing at this checkout's jars.
write_setup() {
  local kernels
  kernels="$("$jupyter" --data-dir)/kernels"
  java -cp "$kernel_jar:$root/kernel-extension/target/lib/*" dev.lethe.kernel.KernelSetup \
    "$kernels" "$(java_17)" "$kernel_home/lib" "$kernel_home" "$kernel_jar" "$root/kernel-extension/target/lib" >&2
}

installed() {
  jupyter_ok && [ -f "$kernel_home/lib/kotlin-jupyter-kernel-0.11.0-398.jar" ] \
    && [ -f "$("$jupyter" --data-dir)/kernels/lethe-kotlin/kernel.json" ]
}

cmd=${1:-}; shift || true
case "$cmd" in
  jupyter)
    [ "${1:-}" = "--install" ] || die "usage: ./lethe jupyter --install"
    install_jupyter
    java_17 >/dev/null
    fetch_kernel
    build
    write_setup
    echo "lethe: ready. Open a notebook with the 'Kotlin (Lethe)' kernel and run %use lethe," >&2
    echo "       or execute one headlessly: ./lethe notebook notebooks/01-quickstart.ipynb --html" >&2
    ;;
  notebook)
    [ $# -ge 1 ] || die "usage: ./lethe notebook FILE.ipynb [--html]"
    file=$(readlink -f "$1"); shift
    [ -f "$file" ] || die "no notebook $file"
    html=false
    [ "${1:-}" = "--html" ] && html=true
    installed || die "the notebook kernel is not installed: run ./lethe jupyter --install"
    build
    write_setup 2>/dev/null
    out="$root/runs/notebooks"
    mkdir -p "$out"
    start=$(date +%s)
    "$jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 \
      --ExecutePreprocessor.kernel_name=lethe-kotlin "$file" --output-dir "$out"
    echo "lethe: executed in $(( $(date +%s) - start )) s: $out/$(basename "$file")" >&2
    if $html; then
      "$jupyter" nbconvert --to html "$out/$(basename "$file")" --output-dir "$out"
    fi
    ;;
  *) die "unknown command $cmd" ;;
esac
