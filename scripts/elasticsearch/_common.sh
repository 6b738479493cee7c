# shellcheck shell=bash
# Shared by launch.sh, start-background.sh and stop.sh. Source it; do not run it.
#
# Resolves the Elasticsearch integ-test distribution from Maven Central (into the local Maven
# repository), unpacks it once into a directory owned by an unprivileged user, writes the node's
# configuration and runs it as that user. Everything is overridable through the ES_* variables below.

ES_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ES_REPO_ROOT=$(cd "$ES_SCRIPT_DIR/../.." && pwd)

ES_VERSION=${ES_VERSION:-9.5.3}
ES_GROUP_ID=${ES_GROUP_ID:-org.elasticsearch.distribution.integ-test-zip}
ES_COORDS="$ES_GROUP_ID:elasticsearch:$ES_VERSION:zip"
ES_JAVA_HOME=${ES_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
ES_USER=${ES_USER:-sitescan-es}
ES_BASE_DIR=${ES_BASE_DIR:-/tmp/sitescan-es}
ES_HOME_DIR=${ES_HOME_DIR:-$ES_BASE_DIR/home-$ES_VERSION}
ES_DATA_DIR=${ES_DATA_DIR:-$ES_REPO_ROOT/data/elasticsearch}
ES_LOGS_DIR=${ES_LOGS_DIR:-$ES_BASE_DIR/logs}
ES_PORT=${ES_PORT:-9200}
ES_JAVA_OPTS=${ES_JAVA_OPTS:--Xms512m -Xmx512m}
ES_LOG_FILE=${ES_LOG_FILE:-/tmp/sitescan-es.log}
ES_PID_FILE=${ES_PID_FILE:-$ES_BASE_DIR/elasticsearch-$ES_PORT.pid}
ES_START_TIMEOUT=${ES_START_TIMEOUT:-180}
ES_STOP_TIMEOUT=${ES_STOP_TIMEOUT:-60}
ES_VERIFY=${ES_VERIFY:-1}
ES_ROOT_ENDPOINT=${ES_ROOT_ENDPOINT:-1}
MAVEN_REPO_LOCAL=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
# maven 3.8's default dependency plugin (2.8) is too old to fetch a POM-less artifact cleanly.
ES_MVN_DEPENDENCY_PLUGIN=${ES_MVN_DEPENDENCY_PLUGIN:-org.apache.maven.plugins:maven-dependency-plugin:3.8.1}

ES_URL="http://127.0.0.1:$ES_PORT"

es_log() { printf '[sitescan-es] %s\n' "$*" >&2; }
es_die() {
  printf '[sitescan-es] ERROR: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '[sitescan-es]   %s\n' "$line" >&2; done
  exit 1
}

# Prints what GET / answers if anything speaks HTTP on the port (any status), else fails.
es_answers() {
  local out code
  out=$(curl -sS -m 3 -w '\n%{http_code}' "$ES_URL/" 2>/dev/null) || return 1
  code=${out##*$'\n'}
  [ -n "$code" ] && [ "$code" != 000 ] || return 1
  printf '%s\n' "${out%$'\n'*}"
}

# The version number in a root document (empty if there is none).
es_version_of() { printf '%s' "$1" | sed -n 's/.*"number" *: *"\([^"]*\)".*/\1/p' | head -n 1; }

es_is_root() { [ "$(id -u)" -eq 0 ]; }

# The account Elasticsearch runs as: $ES_USER when we are root, else the current (non-root) user.
es_run_user() { if es_is_root; then echo "$ES_USER"; else id -un; fi; }

es_ensure_user() {
  es_is_root || return 0
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    command -v useradd >/dev/null || es_die "user '$ES_USER' does not exist and useradd is not available" \
      "Create an unprivileged user yourself and set ES_USER to it."
    es_log "Creating unprivileged user '$ES_USER' (Elasticsearch refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir "$ES_BASE_DIR" \
      --shell /usr/sbin/nologin "$ES_USER" ||
      es_die "useradd $ES_USER failed" "Create the user yourself or set ES_USER to an existing unprivileged user."
  fi
  [ "$(id -u "$ES_USER")" -ne 0 ] || es_die "ES_USER=$ES_USER is root; Elasticsearch refuses to run as root."
}

# Runs a command as the Elasticsearch user with a clean environment (exec's when $1 == exec).
es_as_user() {
  local mode=run
  if [ "${1:-}" = exec ]; then mode=exec; shift; fi
  local -a envv=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$ES_HOME_DIR" "LANG=C.UTF-8"
    "ES_JAVA_HOME=$ES_JAVA_HOME" "ES_JAVA_OPTS=$ES_JAVA_OPTS" "ES_PATH_CONF=$ES_HOME_DIR/config")
  local -a cmd
  if es_is_root; then
    cmd=(setpriv "--reuid=$(id -u "$ES_USER")" "--regid=$(id -g "$ES_USER")" --init-groups "${envv[@]}" "$@")
  else
    cmd=("${envv[@]}" "$@")
  fi
  if [ "$mode" = exec ]; then exec "${cmd[@]}"; else "${cmd[@]}"; fi
}

es_zip_path() {
  echo "$MAVEN_REPO_LOCAL/${ES_GROUP_ID//.//}/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
}

es_mvn_get() { # <coords> <logfile> [extra mvn args]
  local coords=$1 logf=$2
  shift 2
  mvn -B -Dmaven.repo.local="$MAVEN_REPO_LOCAL" "$@" "$ES_MVN_DEPENDENCY_PLUGIN:get" \
    -Dartifact="$coords" -Dtransitive=false >"$logf" 2>&1
}

es_resolve_zip() {
  local zip logf
  zip=$(es_zip_path)
  if [ -s "$zip" ]; then echo "$zip"; return 0; fi
  command -v mvn >/dev/null || es_die "Maven (mvn) is not on PATH; it is needed once to fetch $ES_COORDS" \
    "Install it (apt-get install maven) or put the zip at $zip yourself."
  logf=$(mktemp /tmp/sitescan-es-mvn.XXXXXX.log)
  es_log "Resolving $ES_COORDS from Maven (first run only; ~130 MB) ..."
  if ! es_mvn_get "$ES_COORDS" "$logf" || [ ! -s "$zip" ]; then
    grep -E 'ERROR|Could not|Missing|not found' "$logf" | head -15 >&2 || true
    es_die "Maven could not resolve $ES_COORDS (full log: $logf)" \
      "Check network/proxy settings for Maven Central (~/.m2/settings.xml, MAVEN_OPTS)." \
      "Check the version exists: https://repo.maven.apache.org/maven2/${ES_GROUP_ID//.//}/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip" \
      "(not every 9.x is published there, e.g. 9.3.x is missing; 9.5.3, 9.2.8, 9.1.10, 9.0.8 exist)." \
      "Pick another with ES_VERSION=..., or as a last resort ES_VERSION=8.19.21 (but @elastic/elasticsearch 9 needs a 9.x server)."
  fi
  rm -f "$logf"
  echo "$zip"
}

# The 9.x integ-test zips on Central come without POM or checksums, so Maven cannot check them.
# Cross-check the server jar inside against org.elasticsearch:elasticsearch, which Central
# publishes with checksums (fetched with strict checksum checking).
es_verify_zip() { # <zip>
  [ "$ES_VERIFY" = 1 ] || { es_log "ES_VERIFY=0: skipping integrity cross-check"; return 0; }
  local zip=$1 logf jar inner outer
  jar="$MAVEN_REPO_LOCAL/org/elasticsearch/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.jar"
  if [ ! -s "$jar" ]; then
    logf=$(mktemp /tmp/sitescan-es-mvn.XXXXXX.log)
    es_mvn_get "org.elasticsearch:elasticsearch:$ES_VERSION:jar" "$logf" --strict-checksums ||
      es_die "could not fetch org.elasticsearch:elasticsearch:$ES_VERSION:jar to cross-check the zip (log: $logf)" \
        "Set ES_VERIFY=0 to skip the check."
    rm -f "$logf"
  fi
  inner=$(unzip -p "$zip" "elasticsearch-$ES_VERSION/lib/elasticsearch-$ES_VERSION.jar" | sha1sum | cut -d' ' -f1)
  outer=$(sha1sum <"$jar" | cut -d' ' -f1)
  [ "$inner" = "$outer" ] || es_die "integrity check failed: the server jar in $zip (sha1 $inner)" \
    "differs from org.elasticsearch:elasticsearch:$ES_VERSION on Maven Central (sha1 $outer)." \
    "Delete the zip and retry, or set ES_VERIFY=0 if you trust it."
  es_log "Integrity cross-check OK (server jar sha1 $inner matches Maven Central)"
}

es_unpack() {
  if [ -e "$ES_HOME_DIR" ]; then
    [ -f "$ES_HOME_DIR/.sitescan-unpacked" ] && [ -x "$ES_HOME_DIR/bin/elasticsearch" ] ||
      es_die "$ES_HOME_DIR exists but is not an unpacked Elasticsearch $ES_VERSION made by this launcher" \
        "Remove it or point ES_HOME_DIR somewhere else."
    return 0
  fi
  local zip parent tmp
  zip=$(es_resolve_zip) || exit 1
  es_verify_zip "$zip"
  command -v unzip >/dev/null || es_die "unzip is not installed (apt-get install unzip)"
  parent=$(dirname "$ES_HOME_DIR")
  mkdir -p "$parent"
  tmp=$(mktemp -d "$parent/.unpack-$ES_VERSION.XXXXXX")
  es_log "Unpacking $zip into $ES_HOME_DIR"
  unzip -q "$zip" -d "$tmp" || { rm -rf "$tmp"; es_die "unzip of $zip failed (corrupt download? delete it and retry)"; }
  [ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ] ||
    { rm -rf "$tmp"; es_die "$zip does not contain elasticsearch-$ES_VERSION/bin/elasticsearch"; }
  echo "$ES_COORDS unpacked $(date -u +%FT%TZ) from $zip" >"$tmp/elasticsearch-$ES_VERSION/.sitescan-unpacked"
  if es_is_root; then chown -R "$ES_USER:$(id -gn "$ES_USER")" "$tmp/elasticsearch-$ES_VERSION"; fi
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME_DIR"
  rmdir "$tmp"
}

# The integ-test zip has no `rest-root` module, so GET / (client.info(), client.ping()) would answer
# 405. Compile our small replacement (root-endpoint/SitescanRootPlugin.java) against the
# distribution's own jars and install it as a module. Rebuilt only when the source changes.
es_install_root_module() {
  local mod="$ES_HOME_DIR/modules/sitescan-root" src="$ES_SCRIPT_DIR/root-endpoint/SitescanRootPlugin.java"
  if [ "$ES_ROOT_ENDPOINT" != 1 ] || [ -d "$ES_HOME_DIR/modules/rest-root" ]; then
    rm -rf "$mod"
    return 0
  fi
  local sum build
  sum=$( (cat "$src"; echo "$ES_VERSION") | sha1sum | cut -d' ' -f1)
  if [ -f "$mod/.source-sha1" ] && [ "$(cat "$mod/.source-sha1")" = "$sum" ]; then return 0; fi
  [ -x "$ES_JAVA_HOME/bin/javac" ] && [ -x "$ES_JAVA_HOME/bin/jar" ] ||
    es_die "ES_JAVA_HOME=$ES_JAVA_HOME has no javac/jar; a JDK (not a JRE) is needed to build the root endpoint" \
      "Or set ES_ROOT_ENDPOINT=0 (then GET / answers 405 and client.info()/ping() fail)."
  es_log "Building the root endpoint module (GET /) against Elasticsearch $ES_VERSION"
  build=$(mktemp -d /tmp/sitescan-es-root.XXXXXX)
  if ! "$ES_JAVA_HOME/bin/javac" --release 21 -proc:none -nowarn -cp "$ES_HOME_DIR/lib/*" \
    -d "$build/classes" "$src" >"$build/javac.log" 2>&1; then
    cat "$build/javac.log" >&2
    es_die "could not compile $src against Elasticsearch $ES_VERSION (its plugin API changes between versions)" \
      "Adapt the source to this version, use the default ES_VERSION, or set ES_ROOT_ENDPOINT=0."
  fi
  mkdir -p "$build/module"
  "$ES_JAVA_HOME/bin/jar" --create --file "$build/module/sitescan-root.jar" -C "$build/classes" .
  cat >"$build/module/plugin-descriptor.properties" <<EOP
description=GET / and HEAD / (stand-in for the rest-root module missing from the integ-test zip; sitescan dev only)
version=$ES_VERSION
name=sitescan-root
classname=dev.sitescan.es.SitescanRootPlugin
java.version=21
elasticsearch.version=$ES_VERSION
EOP
  echo "$sum" >"$build/module/.source-sha1"
  if es_is_root; then chown -R "$ES_USER:$(id -gn "$ES_USER")" "$build/module"; fi
  chmod -R a+rX "$build/module"
  rm -rf "$mod"
  mv "$build/module" "$mod"
  rm -rf "$build"
}

es_write_config() {
  local cfg="$ES_HOME_DIR/config/elasticsearch.yml" tmpcfg
  tmpcfg=$(mktemp "$ES_HOME_DIR/config/.elasticsearch.yml.XXXXXX")
  {
    echo "# Written by scripts/elasticsearch (sitescan) on every start; edits here are lost."
    echo "cluster.name: sitescan-dev"
    echo "node.name: sitescan-es-$ES_PORT"
    echo "discovery.type: single-node"
    echo "network.host: 127.0.0.1"
    echo "http.port: $ES_PORT"
    echo "path.data: $ES_DATA_DIR"
    echo "path.logs: $ES_LOGS_DIR"
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    echo "action.destructive_requires_name: false"
    # Only when the distribution ships the security module: an unknown setting is fatal.
    if [ -d "$ES_HOME_DIR/modules/x-pack-security" ]; then
      echo "xpack.security.enabled: false"
    fi
  } >"$tmpcfg"
  mv "$tmpcfg" "$cfg"
  if es_is_root; then chown "$ES_USER:$(id -gn "$ES_USER")" "$cfg"; fi
}

es_prepare_dirs() {
  local d grp
  for d in "$ES_BASE_DIR" "$ES_DATA_DIR" "$ES_LOGS_DIR" "$(dirname "$ES_PID_FILE")"; do mkdir -p "$d"; done
  chmod 755 "$ES_BASE_DIR" 2>/dev/null || true
  if es_is_root; then
    grp=$(id -gn "$ES_USER")
    # Data kept from earlier runs stays; only fix what the ES user does not own.
    find "$ES_DATA_DIR" "$ES_LOGS_DIR" ! -user "$ES_USER" -exec chown "$ES_USER:$grp" {} + 2>/dev/null || true
  fi
  for d in "$ES_DATA_DIR" "$ES_LOGS_DIR" "$ES_HOME_DIR/config"; do
    es_as_user test -w "$d" -a -x "$d" ||
      es_die "user '$(es_run_user)' cannot write to $d" \
        "Every parent directory must be traversable (o+x) by that user; fix permissions or set ES_DATA_DIR / ES_LOGS_DIR."
  done
}

# Everything short of starting the node: user, download, unpack, config, directories.
es_prepare() {
  [ -x "$ES_JAVA_HOME/bin/java" ] || es_die "no java at $ES_JAVA_HOME/bin/java" \
    "The integ-test distribution has no bundled JDK; set ES_JAVA_HOME to a JDK 21+ (JDK 25 recommended)."
  command -v curl >/dev/null || es_die "curl is required"
  es_ensure_user
  mkdir -p "$ES_BASE_DIR"
  (
    # Serialise concurrent first runs (e.g. parallel CI jobs) around download + unpack.
    flock -w 600 9 || es_die "timed out waiting for the lock $ES_BASE_DIR/.lock"
    es_unpack
    es_install_root_module
    es_write_config
  ) 9>"$ES_BASE_DIR/.lock" # no "|| ..." here: it would switch off set -e inside the subshell
  es_prepare_dirs
}

# Replaces the current process with Elasticsearch (running as the ES user). Extra args go to ES.
# With --setsid first, it runs in a session of its own (for background use); setsid does not fork
# here, so the PID stays the same through every exec.
es_exec() {
  local -a pre=()
  if [ "${1:-}" = --setsid ]; then pre=(setsid); shift; fi
  ulimit -n 65535 2>/dev/null || true
  cd "$ES_HOME_DIR"
  es_as_user exec "${pre[@]}" "$ES_HOME_DIR/bin/elasticsearch" "$@"
}

# PID from the PID file if that process is alive and is Elasticsearch.
es_running_pid() {
  [ -s "$ES_PID_FILE" ] || return 1
  local pid
  pid=$(cat "$ES_PID_FILE")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -i elasticsearch || return 1
  echo "$pid"
}
