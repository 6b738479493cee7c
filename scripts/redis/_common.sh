# shellcheck shell=bash
# Shared by start-background.sh and stop.sh. Source it; do not run it.
#
# Debian's redis-server on one loopback port, with the settings sitescan's cluster relies on in
# production (see README.md), its data, log and PID file under one directory. Everything is
# overridable through the REDIS_* variables below.

REDIS_PORT=${REDIS_PORT:-6379}
REDIS_DATA_DIR=${REDIS_DATA_DIR:-${TMPDIR:-/tmp}/sitescan-redis-$REDIS_PORT}
REDIS_LOG_FILE=${REDIS_LOG_FILE:-$REDIS_DATA_DIR/redis.log}
REDIS_PID_FILE=${REDIS_PID_FILE:-$REDIS_DATA_DIR/redis.pid}
REDIS_START_TIMEOUT=${REDIS_START_TIMEOUT:-30}
REDIS_STOP_TIMEOUT=${REDIS_STOP_TIMEOUT:-30}

redis_log() { printf '[sitescan-redis] %s\n' "$*" >&2; }
redis_die() {
  printf '[sitescan-redis] ERROR: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '[sitescan-redis]   %s\n' "$line" >&2; done
  exit 1
}

# True when a Redis answers PING on the port.
redis_answers() { [ "$(redis-cli -p "$REDIS_PORT" -h 127.0.0.1 ping 2>/dev/null)" = PONG ]; }

# One setting of the Redis on the port (empty if it cannot be read).
redis_setting() { redis-cli -p "$REDIS_PORT" -h 127.0.0.1 config get "$1" 2>/dev/null | sed -n 2p; }

# Debian's package brings redis-server and redis-cli (redis-tools) together.
redis_ensure_installed() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || redis_die "redis-server is not installed" \
    "Install it with: sudo apt-get install -y redis-server"
  redis_log "Installing Debian's redis-server (apt-get install -y redis-server)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } ||
    redis_die "apt-get install -y redis-server failed"
}

# PID from the PID file if that process is alive and is redis-server.
redis_running_pid() {
  [ -s "$REDIS_PID_FILE" ] || return 1
  local pid
  pid=$(cat "$REDIS_PID_FILE")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q redis-server || return 1
  echo "$pid"
}
