#!/usr/bin/env bash
# Latency of hitloop as a Label Studio ML backend: POST /ml/{project}/predict with 10-task
# batches (Label Studio's request shape, tests/data/mlbackend/predict_request.json), against a
# project whose first cycle trained the default model on imported labels.
# Target (issue 14): p99 <= 50 ms for a 10-task batch on 2 cores.
# usage: bench/mlbackend/predict_p99.sh build/hitloop [--items 20000] [--requests 2000] [--clients 1]
# Prints p50/p90/p99/max over the timed requests (after 100 warm-up requests per client).
set -euo pipefail
HITLOOP="$(realpath "$1")"; shift
ITEMS=20000; REQUESTS=2000; CLIENTS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS="$2"; shift 2 ;;
    --requests) REQUESTS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
WORK="$(mktemp -d)"
SERVE_PID=""
cleanup() { [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
DB="$WORK/bench.db"

python3 - "$WORK/items.jsonl" "$ITEMS" <<'PY'
import json, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = {
  "positive": "great love excellent happy wonderful superb fast friendly recommend perfect".split(),
  "negative": "awful broken waste terrible refund angry slow rude useless disappointed".split(),
  "neutral": "arrived package order item delivery box received color size weight".split(),
}
common = "the a product it was and this with for of my to in on".split()
with open(out, "w") as f:
    for i in range(n):
        y = rng.choice(list(words))
        text = " ".join(rng.choice(words[y]) if rng.random() < 0.4 else rng.choice(common) for _ in range(40))
        rec = {"id": f"t{i}", "text": text}
        if i % 5 == 0:
            rec["label"] = y
        f.write(json.dumps(rec) + "\n")
PY
"$HITLOOP" --db "$DB" project create reviews --labels positive,negative,neutral >/dev/null
"$HITLOOP" --db "$DB" import reviews "$WORK/items.jsonl" --detect none >/dev/null
"$HITLOOP" --db "$DB" cycle reviews >/dev/null
TOKEN=$("$HITLOOP" --db "$DB" user add lsbackend --role reviewer --projects reviews 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HITLOOP" --db "$DB" serve --port "$PORT" --no-access-log >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.1
done

python3 - "$PORT" "$TOKEN" "$REQUESTS" "$CLIENTS" "$WORK/items.jsonl" <<'PY'
import base64, http.client, json, random, sys, threading, time
port, token, n, clients, items = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
texts = [json.loads(l)["text"] for l in open(items)]
label_config = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" '
                'choice="single"><Choice value="positive"/><Choice value="negative"/>'
                '<Choice value="neutral"/></Choices></View>')
# Label Studio sends Basic auth; the password is the hitloop token.
auth = "Basic " + base64.b64encode(b"labelstudio:" + token.encode()).decode()
lat = []
lock = threading.Lock()
def run(seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    mine = []
    for i in range(100 + n):
        tasks = [{"id": rng.randrange(10**6), "data": {"text": rng.choice(texts)}} for _ in range(10)]
        body = json.dumps({"tasks": tasks, "project": "1.1700000000", "label_config": label_config,
                           "params": {"login": None, "password": None, "context": None}})
        t0 = time.perf_counter()
        conn.request("POST", "/ml/reviews/predict", body=body,
                     headers={"Authorization": auth, "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        dt = time.perf_counter() - t0
        if r.status != 200 or len(json.loads(data)["results"]) != 10:
            sys.exit(f"bad answer {r.status}: {data[:200]!r}")
        if i >= 100:
            mine.append(dt * 1000)
    with lock:
        lat.extend(mine)
threads = [threading.Thread(target=run, args=(s,)) for s in range(clients)]
t0 = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - t0
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"predict 10 tasks: {len(lat)} requests, {clients} client(s): p50 {q(0.50):.2f} ms, "
      f"p90 {q(0.90):.2f} ms, p99 {q(0.99):.2f} ms, max {lat[-1]:.2f} ms "
      f"({len(lat) / wall:.0f} req/s incl. warm-up)")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
