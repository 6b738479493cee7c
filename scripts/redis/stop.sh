#!/usr/bin/env bash
# Stops the redis-server started by start-background.sh (via its PID file). SIGTERM makes Redis
# flush its AOF and exit cleanly; SIGKILL only after REDIS_STOP_TIMEOUT.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

if ! pid=$(redis_running_pid); then
  rm -f "$REDIS_PID_FILE"
  if command -v redis-cli >/dev/null && redis_answers; then
    redis_die "a Redis answers on port $REDIS_PORT but it was not started by start-background.sh (no live PID in $REDIS_PID_FILE)." \
      "Stop it where it was started, or find it with: ss -ltnp 'sport = :$REDIS_PORT'"
  fi
  redis_log "Redis is not running (port $REDIS_PORT)."
  exit 0
fi

redis_log "Stopping redis-server (pid $pid) ..."
kill -TERM "$pid" 2>/dev/null || true
deadline=$(($(date +%s) + REDIS_STOP_TIMEOUT))
while kill -0 "$pid" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    redis_log "still running after ${REDIS_STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.2
done
rm -f "$REDIS_PID_FILE"
redis_log "Stopped."
