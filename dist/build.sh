#!/usr/bin/env bash
# Builds certsmith's release binary as it ships, and prints its path: on Linux with
# glibc it is statically linked (static-pie, so address randomisation stays), which
# spares every start the dynamic loader's work: 0.3 ms of `--version`, about 0.5 ms of
# a `gen`, on the benchmark machine (docs/benchmarks.md). Elsewhere it is the plain
# release build.
#
#   dist/build.sh                                          # build, print the path
#   install -m 0755 "$(dist/build.sh)" ~/.local/bin/certsmith
#
# RUSTFLAGS with an explicit --target reach only certsmith's own binary: build scripts
# and proc-macros, which cannot be linked statically, stay as they are. A static glibc
# still resolves host names through /etc/hosts and DNS; other NSS modules named in
# /etc/nsswitch.conf are loaded at run time and need the glibc the binary was built with.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
args=(build --release --locked --quiet --bin certsmith --message-format=json-render-diagnostics)
case "$host" in
  *-linux-gnu*)
    export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static"
    args+=(--target "$host")
    ;;
esac
# Cargo names the binary it built (wherever the target folder is configured to be).
bin=$(cargo "${args[@]}" | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "dist/build.sh: cargo did not report the certsmith binary" >&2; exit 1; }
# A program interpreter (the dynamic loader) in its headers would mean the flag was lost.
if [[ "$host" == *-linux-gnu* ]] && readelf -lW "$bin" | grep -q INTERP; then
  echo "dist/build.sh: $bin is not statically linked (is CARGO_ENCODED_RUSTFLAGS set?)" >&2
  exit 1
fi
echo "$bin"
