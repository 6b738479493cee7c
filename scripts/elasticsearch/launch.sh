#!/usr/bin/env bash
# Runs a single-node Elasticsearch for development in the foreground (Ctrl-C stops it).
# First run resolves the distribution with Maven and unpacks it; see README.md for the ES_* variables.
# Extra arguments are passed to bin/elasticsearch (e.g. -Elogger.level=debug).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

if root=$(es_answers); then
  es_die "something already answers on $ES_URL:" "$(echo "$root" | tr -s ' \n' ' ' | cut -c1-200)" \
    "Stop it first (scripts/elasticsearch/stop.sh) or use another ES_PORT."
fi
es_prepare
es_log "Starting Elasticsearch $ES_VERSION on $ES_URL as '$(es_run_user)' (data: $ES_DATA_DIR, logs: $ES_LOGS_DIR)"
es_exec "$@"
