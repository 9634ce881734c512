#!/usr/bin/env bash
# Times certsmith against the commands a user would otherwise run, whole process, in the
# same run on the same machine (hyperfine: warm-up, at least 10 runs, medians), and prints
# one markdown table with the ratio for each row. Installs hyperfine and mkcert from
# Debian packages when missing (and GNU time, for peak memory). Takes a few minutes; run
# it on a quiet machine.
#
#   bench/run.sh              # prints the table and writes bench/last-run.md
#   RUNS=20 bench/run.sh      # more runs per command
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-10}

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v mkcert >/dev/null || need+=(mkcert)
command -v openssl >/dev/null || need+=(openssl)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The binary as it ships (statically linked on Linux with glibc; see dist/build.sh).
bin=$(dist/build.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "== preparing inputs in $work" >&2
"$bin" ca create --out-dir ca >/dev/null
mkdir -p many
for i in $(seq 1 1000); do
  "$bin" gen --ca ca --out-dir many --cert-file "many/host$i.pem" --key-file "many/host$i.key" "host$i.bench.test" >/dev/null
done
"$bin" gen --key-type rsa-2048 --out-dir rsa >/dev/null
"$bin" gen --out-dir ecdsa >/dev/null
bundle=/etc/ssl/certs/ca-certificates.crt
# The guide's config file for its three-command RSA recipe.
cat > cert.conf <<'CNF'
[req]
distinguished_name = req_distinguished_name
req_extensions = v3_req
prompt = no
[req_distinguished_name]
CN = localhost
[v3_req]
keyUsage = keyEncipherment, dataEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @alt_names
[alt_names]
DNS.1 = localhost
IP.1 = 127.0.0.1
CNF
cat > guide-rsa.sh <<'SH'
openssl genrsa -out o/private_key.pem 2048 2>/dev/null
openssl req -new -key o/private_key.pem -out o/certificate.csr -config cert.conf
openssl x509 -req -in o/certificate.csr -signkey o/private_key.pem -out o/certificate.pem -days 365 -extensions v3_req -extfile cert.conf 2>/dev/null
SH
mkdir -p o mk
export CAROOT=$work/mkcert-ca
mkcert -ecdsa localhost >/dev/null 2>&1   # creates mkcert's CA once, outside the timings
hosts_loop='for f in many/host*.pem; do n=${f#many/}; openssl verify -CAfile ca/ca.pem -verify_hostname ${n%.pem}.bench.test "$f" >/dev/null || exit 1; done'

results=$work/results.tsv
: > "$results"
# bench ID RUNS COMMAND [PREPARE]: one hyperfine run, no shell in between (-N; pipelines
# and loops name their shell), PREPARE (untimed) before each run. Every run's time in
# milliseconds goes to results.tsv; a row's median is taken over all runs of its ID.
bench() {
  local id=$1 n=$2 cmd=$3 prepare=()
  [ $# -ge 4 ] && prepare=(--prepare "$4")
  hyperfine -N --warmup 2 --runs "$n" --style none --export-json "$id.json" "${prepare[@]}" "$cmd" >/dev/null 2>&1 \
    || { echo "benchmark $id failed: $cmd" >&2; exit 1; }
  python3 - "$id" "$id.json" >> "$results" <<'PY'
import json, sys
for t in json.load(open(sys.argv[2]))["results"][0]["times"]:
    print(f"{sys.argv[1]}\t{t * 1000:.3f}")
PY
}

# The preparation's writes go to the disk now, not during the timings.
sync
echo "== timing (this takes a few minutes)" >&2
# Every gen row writes a new pair, as `gen` does unless --force: the files of the run
# before are removed untimed. Replacing a synced file here costs the disk's discard of
# the old blocks, a wait that would time this machine's disk (docs/benchmarks.md).
fresh_g="sh -c 'rm -f g/*'" fresh_o="sh -c 'rm -f o/*'" fresh_mk="sh -c 'rm -f mk/*'"
# The short commands run in three rounds, each side by side with its alternatives, so
# that a spell of noise on a shared machine falls on both sides of a ratio.
for _ in 1 2 3; do
  bench gen-ecdsa "$runs" "$bin gen --out-dir g localhost 127.0.0.1" "$fresh_g"
  bench gen-ecdsa-openssl "$runs" "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout o/k.pem -out o/c.pem -days 365 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext extendedKeyUsage=serverAuth -addext basicConstraints=critical,CA:FALSE" "$fresh_o"
  bench gen-ecdsa-mkcert "$runs" "sh -c 'cd mk && mkcert -ecdsa localhost 127.0.0.1 2>/dev/null'" "$fresh_mk"
  bench inspect-bundle "$runs" "$bin inspect $bundle"
  bench inspect-bundle-openssl "$runs" "openssl storeutl -noout -text -certs $bundle"
  bench match-key-rsa "$runs" "$bin match-key rsa/certificate.pem rsa/private_key.pem"
  bench match-key-rsa-guide "$runs" "sh -c 'openssl x509 -noout -modulus -in rsa/certificate.pem | openssl md5; openssl rsa -noout -modulus -in rsa/private_key.pem | openssl md5'"
  bench version "$runs" "$bin --version"
  bench version-openssl "$runs" "openssl version"
done
rsa_runs=$((runs * 3))   # RSA key generation time varies with the prime search
bench gen-rsa "$rsa_runs" "$bin gen --key-type rsa-2048 --out-dir g localhost 127.0.0.1" "$fresh_g"
bench gen-rsa-guide "$rsa_runs" "sh guide-rsa.sh" "$fresh_o"
bench gen-rsa-mkcert "$rsa_runs" "sh -c 'cd mk && mkcert localhost 127.0.0.1 2>/dev/null'" "$fresh_mk"
files=$(echo many/host*.pem)
bench verify-1000 "$runs" "$bin verify --ca ca/ca.pem $files"
bench verify-1000-openssl-loop "$runs" "bash -c '$hosts_loop'"
bench verify-1000-openssl-one "$runs" "openssl verify -CAfile ca/ca.pem $files"

peak_kb=$( { /usr/bin/time -f %M "$bin" verify --ca ca/ca.pem many/host*.pem >/dev/null; } 2>&1 | tail -1 )
size=$(stat -c %s "$bin")

python3 - "$results" "$peak_kb" "$size" "$bin" <<'PY' | tee "$root/bench/last-run.md"
import statistics, subprocess, sys
times = {}
for line in open(sys.argv[1]):
    row, ms = line.split("\t")
    times.setdefault(row, []).append(float(ms))
rows = {row: statistics.median(ms) for row, ms in times.items()}
peak_mb = int(sys.argv[2]) / 1024
size_mb = int(sys.argv[3]) / (1024 * 1024)
def v(cmd):
    try: return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip().splitlines()[0]
    except Exception: return "?"
cpu = v('grep -m1 "model name" /proc/cpuinfo | cut -d: -f2').strip()
print(f"Machine: {v('nproc')} cores, {cpu}, {v('uname -sr')}")
linking = "dynamic" if "INTERP" in subprocess.run(["readelf", "-lW", sys.argv[4]], capture_output=True, text=True).stdout else "static"
print(f"Versions: {v(sys.argv[4] + ' --version')} ({linking}); {v('openssl version')}; mkcert {v('mkcert -version')}; {v('hyperfine --version')}")
print()
print("| workload | certsmith (median ms) | alternative | alternative (median ms) | ratio (alternative / certsmith) | target |")
print("| --- | ---: | --- | ---: | ---: | --- |")
table = [
    ("gen ECDSA P-256", "gen-ecdsa", "`openssl req -x509 -newkey ec … -addext …`", "gen-ecdsa-openssl", "≥ 3"),
    ("gen ECDSA P-256", "gen-ecdsa", "`mkcert -ecdsa`", "gen-ecdsa-mkcert", ""),
    ("gen RSA-2048", "gen-rsa", "the guide's genrsa + req + x509 recipe", "gen-rsa-guide", "≥ 2"),
    ("gen RSA-2048", "gen-rsa", "`mkcert` (RSA-2048)", "gen-rsa-mkcert", "> 1"),
    ("inspect the system CA bundle", "inspect-bundle", "`openssl storeutl -noout -text -certs`", "inspect-bundle-openssl", "≥ 10"),
    ("verify 1,000 files", "verify-1000", "shell loop of `openssl verify -verify_hostname`", "verify-1000-openssl-loop", "≥ 50"),
    ("verify 1,000 files", "verify-1000", "one `openssl verify` call on all files", "verify-1000-openssl-one", "≥ 4"),
    ("match-key RSA-2048", "match-key-rsa", "the guide's modulus/md5 recipe", "match-key-rsa-guide", "≥ 10"),
    ("startup", "version", "`openssl version`", "version-openssl", "certsmith < 2 ms"),
]
for name, ours, alt_name, alt, target in table:
    if ours in rows and alt in rows:
        print(f"| {name} | {rows[ours]:.2f} | {alt_name} | {rows[alt]:.2f} | {rows[alt]/rows[ours]:.1f} | {target} |")
print()
print(f"Peak memory, verify of 1,000 files: {peak_mb:.1f} MiB (target < 30 MB). "
      f"Release binary (stripped): {size_mb:.2f} MiB (target < 10 MB).")
PY
