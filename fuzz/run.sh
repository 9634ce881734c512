#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 30) with cargo fuzz on the stable toolchain
# (RUSTC_BOOTSTRAP=1 lets stable rustc take the sanitizer flags cargo fuzz passes).
# Seeds come from fixtures/; crashes land in fuzz/artifacts/TARGET/.
#
#   fuzz/run.sh              # every target, 30 s each
#   fuzz/run.sh 600 load     # one target, ten minutes
#   FUZZ_SANITIZER=none fuzz/run.sh   # no AddressSanitizer: builds faster (CI's smoke run)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load describe decrypt env)
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
sanitizer=${FUZZ_SANITIZER:-address}
cargo fuzz build -O --sanitizer "$sanitizer"
for target in "${targets[@]}"; do
  corpus=corpus/$target
  mkdir -p "$corpus"
  # Seeds: every fixture (PEM and DER), and for describe each certificate as DER.
  find ../fixtures -type f ! -name '*.sh' ! -name '*.md' ! -name '*.cnf' -exec cp -n {} "$corpus/" \;
  echo "== $target for ${seconds}s"
  cargo fuzz run -O --sanitizer "$sanitizer" "$target" "$corpus" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 2>&1 \
    | grep -E "^(#[0-9]+ *DONE|Done|==|SUMMARY|artifact_prefix|Test unit written)" || true
  if compgen -G "artifacts/$target/*" >/dev/null; then
    echo "fuzz target $target found crashes: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
