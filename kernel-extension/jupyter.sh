#!/usr/bin/env bash
# Lethe in Jupyter (called by ../lethe):
#   ./lethe jupyter --install          Debian's Jupyter with its interactive front end (apt, with sudo where
#                                      needed; waits for another apt to finish), the Kotlin kernel's jars
#                                      (Maven), the kernelspec 'lethe-kotlin' and the '%use lethe' descriptor
#   ./lethe jupyter --install-debs [EXTRA]  only the Debian packages, and EXTRA ones (.ci/run: chromium)
#   ./lethe notebook FILE [--html]     executes FILE headlessly into runs/notebooks/ (and exports HTML)
# LETHE_KERNEL_HOME (default ~/.local/share/lethe/kotlin-kernel) holds the kernel's jars.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kernel_home=${LETHE_KERNEL_HOME:-$HOME/.local/share/lethe/kotlin-kernel}
kernel_jar="$root/kernel-extension/target/lethe-kernel-0.1.0-SNAPSHOT.jar"
# jupyter-notebook is the interactive front end (`jupyter notebook`); the rest executes notebooks headlessly.
debs="jupyter-core jupyter-client jupyter-nbconvert python3-nbclient python3-nbformat jupyter-notebook"
jupyter=/usr/bin/jupyter   # Debian's: a python3 earlier on PATH (e.g. pyenv) may lack nbformat
# Debian's Maven 3.8 prints stray colour resets (ESC[0m) even in batch and quiet mode; jansi.noreset stops them.
export MAVEN_OPTS="-Djansi.noreset=true ${MAVEN_OPTS:-}"

die() { echo "lethe: $*" >&2; exit 1; }

jupyter_ok() {
  [ -x "$jupyter" ] && "$jupyter" nbconvert --version >/dev/null 2>&1 && "$jupyter" notebook --version >/dev/null 2>&1 \
    && /usr/bin/python3 -c 'import nbclient, nbformat' >/dev/null 2>&1
}

# Waits up to 10 minutes for a lock that another apt or dpkg holds (unattended upgrades, a second terminal).
# apt locks with fcntl, so the probe does too (flock(1) would not see apt's lock). LETHE_LOCK_POLL: seconds.
wait_for_lock() {
  local lock=$1 waited=0 poll=${LETHE_LOCK_POLL:-5}
  [ -e "$lock" ] && [ -x /usr/bin/python3 ] || return 0
  until ${sudo:-} /usr/bin/python3 -c 'import fcntl, sys; fcntl.lockf(open(sys.argv[1], "a"), fcntl.LOCK_EX | fcntl.LOCK_NB)' \
      "$lock" 2>/dev/null; do
    [ "$waited" = 0 ] && echo "lethe: waiting for another apt/dpkg to release $lock..." >&2
    [ "$waited" -ge 600 ] && die "another apt/dpkg still holds $lock after 10 minutes; run this again when it has finished"
    sleep "$poll"; waited=$((waited + poll))
  done
}

# Debian's Jupyter and the packages named in $1 (e.g. chromium); returns at once when all are installed.
install_debs() {
  local extra=${1:-} missing="" deb sudo=""
  for deb in $debs $extra; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $deb"
  done
  [ -z "$missing" ] && jupyter_ok && return 0
  command -v apt-get >/dev/null 2>&1 \
    || die "Jupyter is missing and this is not a Debian/Ubuntu system: install jupyter (notebook, nbconvert, nbclient, nbformat) with your package manager"
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=sudo
    else
      die "Jupyter is missing; install it with:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing
then run ./lethe jupyter --install again"
    fi
  fi
  echo "lethe: installing Debian's packages:$missing..." >&2
  # apt-get update has no lock timeout of its own: wait for the lists lock first (install waits by itself).
  wait_for_lock /var/lib/apt/lists/lock
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends $missing >&2
  jupyter_ok || die "Jupyter was installed but '$jupyter nbconvert' or '$jupyter notebook' does not work"
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
  mvn -B -q -Dstyle.color=never -f "$root/kernel-extension/kotlin-kernel.xml" dependency:copy-dependencies \
    -DoutputDirectory="$kernel_home/lib.tmp" >&2
  rm -rf "$kernel_home/lib" && mv "$kernel_home/lib.tmp" "$kernel_home/lib"
}

build() {
  if [ ! -f "$kernel_jar" ] || [ ! -d "$root/kernel-extension/target/lib" ] \
     || [ -n "$(find "$root/pom.xml" "$root/dsl/pom.xml" "$root/dsl/src/main" "$root/kernel-extension/pom.xml" \
                 "$root/kernel-extension/src/main" -newer "$kernel_jar" -print -quit)" ]; then
    echo "lethe: building the kernel extension (mvn package, tests skipped)..." >&2
    mvn -B -q -Dstyle.color=never -f "$root/pom.xml" -pl kernel-extension -am -DskipTests package >&2
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

main() {
  cmd=${1:-}; shift || true
  case "$cmd" in
    jupyter)
      case "${1:-}" in
        --install) install_debs ;;
        --install-debs) install_debs "${2:-}"; exit 0 ;;
        *) die "usage: ./lethe jupyter --install" ;;
      esac
      java_17 >/dev/null
      fetch_kernel
      build
      write_setup
      cat >&2 <<EOF
lethe: ready. Open the notebooks in Jupyter with the kernel 'Kotlin (Lethe)' (lethe-kotlin):
  cd $root && $jupyter notebook notebooks/
  (without a browser on this machine: $jupyter notebook --no-browser --ip=127.0.0.1 notebooks/, then open the URL it prints)
or execute one headlessly (output in runs/notebooks/):
  ./lethe notebook notebooks/01-quickstart.ipynb --html
EOF
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
      # A failing cell: one short block (cell, first line, error) and the cells executed so far saved, exit 1.
      /usr/bin/python3 "$root/kernel-extension/run_notebook.py" "$file" "$out" --kernel lethe-kotlin --timeout 1800
      echo "lethe: executed in $(( $(date +%s) - start )) s: $out/$(basename "$file")" >&2
      if $html; then
        "$jupyter" nbconvert --to html "$out/$(basename "$file")" --output-dir "$out"
      fi
      ;;
    *) die "unknown command $cmd" ;;
  esac
}

# Sourced (by a test), it only defines the functions.
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
