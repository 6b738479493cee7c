#!/usr/bin/env bash
# Starts the development Elasticsearch in the background and waits until it is usable
# (cluster health yellow). Idempotent: exits 0 if a node already answers on the port.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

if root=$(es_answers); then
  version=$(es_version_of "$root")
  es_log "Elasticsearch ${version:-?} already answers on $ES_URL; nothing to do."
  exit 0
fi
if pid=$(es_running_pid); then
  es_die "Elasticsearch (pid $pid, from $ES_PID_FILE) is running but $ES_URL does not answer." \
    "It may still be starting, or be stuck: see $ES_LOG_FILE, or stop it with scripts/elasticsearch/stop.sh."
fi

started=$(date +%s.%N)
es_prepare
mkdir -p "$(dirname "$ES_LOG_FILE")"
: >"$ES_LOG_FILE"
es_log "Starting Elasticsearch $ES_VERSION on $ES_URL in the background (log: $ES_LOG_FILE)"
# setsid: own session, so it survives this shell and is not hit by a Ctrl-C aimed at the caller.
# Every step exec's, so $! is the Elasticsearch launcher process itself.
es_exec --setsid "$@" </dev/null >>"$ES_LOG_FILE" 2>&1 &
pid=$!
echo "$pid" >"$ES_PID_FILE"

deadline=$(($(date +%s) + ES_START_TIMEOUT))
until curl -fsS -m 5 -o /dev/null "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$ES_PID_FILE"
    echo "----- last 40 lines of $ES_LOG_FILE -----" >&2
    tail -n 40 "$ES_LOG_FILE" >&2
    es_die "Elasticsearch exited during start-up (see above, full log: $ES_LOG_FILE)."
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "----- last 40 lines of $ES_LOG_FILE -----" >&2
    tail -n 40 "$ES_LOG_FILE" >&2
    es_die "Elasticsearch did not reach cluster health yellow on $ES_URL within ${ES_START_TIMEOUT}s (pid $pid still running)." \
      "See $ES_LOG_FILE; stop it with scripts/elasticsearch/stop.sh, or raise ES_START_TIMEOUT."
  fi
  sleep 0.5
done
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
version=$(es_version_of "$(es_answers || true)")
es_log "Elasticsearch ${version:-?} is up on $ES_URL (pid $pid, pid file $ES_PID_FILE) after ${elapsed}s"
