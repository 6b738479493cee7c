#!/usr/bin/env bash
# Stops the Elasticsearch started by start-background.sh (via its PID file), gracefully.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

if ! pid=$(es_running_pid); then
  rm -f "$ES_PID_FILE"
  if es_answers >/dev/null; then
    es_die "a node answers on $ES_URL but it was not started by start-background.sh (no live PID in $ES_PID_FILE)." \
      "Stop it where it was started (Ctrl-C for launch.sh), or find it with: ss -ltnp 'sport = :$ES_PORT'"
  fi
  es_log "Elasticsearch is not running (port $ES_PORT)."
  exit 0
fi

# The PID is the launcher, which leads its own session (start-background.sh uses setsid); the
# server JVM is its child. SIGTERM to the launcher shuts the server down cleanly.
session_pids() { ps -o pid= -s "$pid" 2>/dev/null | tr -s ' \n' ' ' || true; }
es_log "Stopping Elasticsearch (pid $pid) ..."
kill -TERM "$pid" 2>/dev/null || true
deadline=$(($(date +%s) + ES_STOP_TIMEOUT))
while [ -n "$(session_pids | tr -d ' ')" ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    left=$(session_pids)
    es_log "still running after ${ES_STOP_TIMEOUT}s (pids: $left); sending SIGKILL"
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
    break
  fi
  sleep 0.5
done
rm -f "$ES_PID_FILE"
es_log "Stopped."
