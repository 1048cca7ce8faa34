# Sourced by the bench/server scripts: which load generator drives the clients, and starting a server.
# resolve_loadgen NAME LOADGEN HITLOOP [extra hl_loadgen args...] sets LOADGEN_ARGS, the options
# that make loadgen.py run hl_loadgen (built next to the hitloop binary) or its own Python threads.
resolve_loadgen() {
  local name=$1 which=$2 hitloop=$3
  shift 3
  case "$which" in
    cc)
      local bin
      bin=$(dirname "$hitloop")/hl_loadgen
      if [ ! -x "$bin" ]; then
        echo "$name: $bin not found: build the hl_loadgen target next to hitloop" \
          "(ninja -C $(dirname "$hitloop") hl_loadgen) or use --loadgen py" >&2
        exit 2
      fi
      LOADGEN_ARGS=(--cc "$bin" "$@") ;;
    py) LOADGEN_ARGS=() ;;
    *) echo "--loadgen: cc or py, not $which" >&2; exit 2 ;;
  esac
}

# free_port: prints a TCP port nobody listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_healthy PORT PID: returns once /healthz answers on PORT (30 s at most); fails early if PID
# (the server) exited.
wait_healthy() {
  for _ in $(seq 1 300); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$1/healthz', timeout=1)" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "the server on port $1 exited" >&2; return 1; }
    sleep 0.1
  done
  echo "the server on port $1 is not up after 30 s" >&2
  return 1
}

# serve_sqlite HITLOOP DB PORT THREADS OUT: starts `hitloop serve` on the SQLite file DB (access
# log off, stdout/stderr in OUT.out/OUT.err), sets SERVER_PID and waits until it answers.
serve_sqlite() {
  "$1" --db "$2" --log-level info serve --port "$3" --threads "$4" --no-access-log >"$5.out" 2>"$5.err" &
  SERVER_PID=$!
  wait_healthy "$3" "$SERVER_PID"
}

# cpu_s PID: the process's user + system CPU seconds.
cpu_s() { awk '{printf "%.1f", ($14 + $15) / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
