#!/usr/bin/env bash
# Builds certsmith's release binary as it ships, and prints its path: on Linux with
# glibc it is statically linked (static-pie, so address randomisation stays), which
# spares every start the dynamic loader's work, 0.3 to 0.4 ms of a 2 ms `gen` on the
# benchmark machine (docs/benchmarks.md). Elsewhere it is the plain release build.
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
case "$host" in
  *-linux-gnu*)
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
      cargo build --release --locked --quiet --bin certsmith --target "$host" >&2
    echo "${CARGO_TARGET_DIR:-$PWD/target}/$host/release/certsmith"
    ;;
  *)
    cargo build --release --locked --quiet --bin certsmith >&2
    echo "${CARGO_TARGET_DIR:-$PWD/target}/release/certsmith"
    ;;
esac
