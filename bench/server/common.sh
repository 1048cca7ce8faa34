# Sourced by bench/server/run.sh and crash.sh: which load generator drives the clients.
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
