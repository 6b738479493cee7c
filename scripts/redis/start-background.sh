#!/usr/bin/env bash
# Starts Debian's redis-server for development and CI in the background, with the settings that
# matter to sitescan in production (AOF every second, no eviction), and waits until it answers
# PING. Idempotent: exits 0 if a Redis already answers on the port. See README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

redis_ensure_installed
if redis_answers; then
  redis_log "Redis already answers on 127.0.0.1:$REDIS_PORT; nothing to do."
  # A reused Redis keeps its own settings: say when they are not the ones the cluster relies on.
  policy=$(redis_setting maxmemory-policy)
  aof=$(redis_setting appendonly)
  if [ "$policy" != noeviction ] || [ "$aof" != yes ]; then
    redis_log "note: it runs with maxmemory-policy=${policy:-?} appendonly=${aof:-?} (production wants noeviction, yes)"
  fi
  exit 0
fi
if pid=$(redis_running_pid); then
  redis_die "redis-server (pid $pid, from $REDIS_PID_FILE) is running but does not answer PING on port $REDIS_PORT." \
    "It may be loading a large AOF, or be stuck: see $REDIS_LOG_FILE, or stop it with scripts/redis/stop.sh."
fi

mkdir -p "$REDIS_DATA_DIR" "$(dirname "$REDIS_LOG_FILE")" "$(dirname "$REDIS_PID_FILE")"
: >"$REDIS_LOG_FILE"
redis_log "Starting redis-server on 127.0.0.1:$REDIS_PORT in the background (data: $REDIS_DATA_DIR, log: $REDIS_LOG_FILE)"
# setsid: own session, so it survives this shell and a Ctrl-C aimed at the caller. No config
# file: these flags are the whole configuration, so a system-wide redis.conf cannot change them.
setsid redis-server \
  --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize no --logfile "" \
  --dir "$REDIS_DATA_DIR" \
  --appendonly yes --appendfsync everysec \
  --maxmemory-policy noeviction \
  </dev/null >>"$REDIS_LOG_FILE" 2>&1 &
pid=$!
echo "$pid" >"$REDIS_PID_FILE"

deadline=$(($(date +%s) + REDIS_START_TIMEOUT))
until redis_answers; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$REDIS_PID_FILE"
    echo "----- last 20 lines of $REDIS_LOG_FILE -----" >&2
    tail -n 20 "$REDIS_LOG_FILE" >&2
    redis_die "redis-server exited during start-up (see above, full log: $REDIS_LOG_FILE)."
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    redis_die "redis-server did not answer PING on port $REDIS_PORT within ${REDIS_START_TIMEOUT}s (pid $pid still running)." \
      "See $REDIS_LOG_FILE; stop it with scripts/redis/stop.sh, or raise REDIS_START_TIMEOUT."
  fi
  sleep 0.2
done
version=$(redis-cli -p "$REDIS_PORT" -h 127.0.0.1 info server 2>/dev/null | sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p')
redis_log "Redis ${version:-?} is up on redis://127.0.0.1:$REDIS_PORT (pid $pid, pid file $REDIS_PID_FILE)"
