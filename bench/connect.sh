#!/usr/bin/env bash
# Times `certsmith connect` on many servers against what a user runs otherwise: a shell
# loop of `openssl s_client`. One small Python TLS server (asyncio and the ssl module, so
# OpenSSL serves both sides alike) listens on 200 loopback ports with a certificate from
# certsmith's CA; then, in the same run (hyperfine, whole processes, medians):
#   certsmith connect --jobs 16 --ca ca.pem --targets ports.txt     (all 200)
#   certsmith connect --jobs 1  ...                                  (all 200, one at a time)
#   for each: openssl s_client -connect ... -CAfile ca.pem -verify_return_error </dev/null
# and prints one markdown table with the ratios.
#
#   bench/connect.sh                 # 200 servers, 5 runs each
#   SERVERS=50 RUNS=10 bench/connect.sh
#   CERTSMITH=path/to/certsmith bench/connect.sh   # skip the release build
set -euo pipefail
cd "$(dirname "$0")/.."
servers=${SERVERS:-200}
runs=${RUNS:-5}
command -v hyperfine >/dev/null || { echo "bench/connect.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
bin=${CERTSMITH:-$(dist/build.sh)}
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

"$bin" ca create --out-dir ca >/dev/null
"$bin" gen --ca ca --out-dir srv localhost 127.0.0.1 >/dev/null

cat > serve.py <<'PY'
import asyncio, ssl, sys
count, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["h2", "http/1.1"])

async def handle(reader, writer):
    try:
        await asyncio.wait_for(reader.read(), 10)
    except Exception:
        pass
    writer.close()

async def main():
    servers = [await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx, backlog=256) for _ in range(count)]
    with open("ports.txt", "w") as f:
        for s in servers:
            f.write("127.0.0.1:%d\n" % s.sockets[0].getsockname()[1])
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
PY
python3 serve.py "$servers" srv/certificate.pem srv/private_key.pem > serve.log 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q ready serve.log 2>/dev/null && break; sleep 0.1; done
grep -q ready serve.log || { echo "the Python TLS server did not start:" >&2; cat serve.log >&2; exit 1; }

# Each side must succeed on every target before it is timed.
"$bin" connect --jobs 16 --ca ca/ca.pem --targets ports.txt | tail -n 1 >&2
cat > loop.sh <<'SH'
while read -r t; do openssl s_client -connect "$t" -CAfile ca/ca.pem -verify_return_error </dev/null >/dev/null 2>&1 || exit 1; done < ports.txt
SH
bash loop.sh || { echo "the openssl s_client loop failed" >&2; exit 1; }

results=$work/results.tsv
: > "$results"
bench() {
  local id=$1 cmd=$2
  hyperfine -N --warmup 1 --runs "$runs" --style none --export-json "$id.json" "$cmd" >/dev/null 2>&1 \
    || { echo "benchmark $id failed: $cmd" >&2; exit 1; }
  python3 - "$id" "$id.json" >> "$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))["results"][0]
print("%s\t%.1f\t%s" % (sys.argv[1], r["median"] * 1000, " ".join("%.0f" % (t * 1000) for t in r["times"])))
PY
}
bench jobs16 "$bin connect --jobs 16 --ca ca/ca.pem --targets ports.txt"
bench jobs1 "$bin connect --jobs 1 --ca ca/ca.pem --targets ports.txt"
bench s_client "bash loop.sh"

python3 - "$results" "$servers" "$runs" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    id, median, times = line.rstrip("\n").split("\t")
    rows[id] = (float(median), times)
n, runs = sys.argv[2], sys.argv[3]
c16, c1, loop = rows["jobs16"][0], rows["jobs1"][0], rows["s_client"][0]
print("| workload (%s loopback TLS servers, %s runs) | median ms | runs (ms) | ratio to `connect --jobs 16` |" % (n, runs))
print("| --- | ---: | --- | ---: |")
print("| `certsmith connect --jobs 16 --targets` | %.1f | %s | 1 |" % (c16, rows["jobs16"][1]))
print("| `certsmith connect --jobs 1 --targets` | %.1f | %s | %.1f |" % (c1, rows["jobs1"][1], c1 / c16))
print("| shell loop of `openssl s_client -connect … </dev/null` | %.1f | %s | **%.1f** |" % (loop, rows["s_client"][1], loop / c16))
PY
