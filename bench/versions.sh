# Sourced by bench/compare.sh and bench/hf-compare.sh: prints which Lethe and which PyTorch a comparison runs and
# the BLAS each uses. Needs $here (the checkout) and $python (the reference venv's python, bench/python-env.sh).
print_versions() {
  local venv source_file torch_version torch_blas libtorch lethe_blas
  venv=$(dirname "$(dirname "$python")")
  source_file=$venv/lethe-torch-source
  torch_version=$("$python" -c 'import torch; print(torch.__version__)')
  torch_blas=$("$python" -c '
import torch
lines = torch.__config__.show().splitlines()
mkl = [l.strip(" -") for l in lines if "Math Kernel Library" in l]
blas = [p for l in lines for p in l.replace(",", " ").split() if p.startswith("BLAS_INFO=")]
print(mkl[0] if mkl else (blas[0] if blas else "unknown BLAS"))')
  libtorch=$(ls -d "${ENGINE_CACHE_DIR:-$HOME/.djl.ai}"/pytorch/*cpu*/libtorch_cpu.so 2>/dev/null | head -1 || true)
  if [ -n "$libtorch" ] && grep -aq "Intel(R) oneAPI Math Kernel Library" "$libtorch"; then
    lethe_blas="oneMKL, statically linked into $libtorch"
  else
    lethe_blas="oneMKL (bundled with DJL's libtorch 2.7.1 CPU build; libtorch not extracted yet to check)"
  fi
  echo "Lethe $(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$here/dsl/pom.xml" | head -1) (DJL 0.36, libtorch 2.7.1): BLAS $lethe_blas"
  echo "PyTorch $torch_version from $(cat "$source_file" 2>/dev/null || echo "an existing venv") ($venv): BLAS $torch_blas"
}
