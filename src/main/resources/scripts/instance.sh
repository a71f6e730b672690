#!/bin/bash
# LearningDB instance entrypoint: rendered by the operator into ConfigMap <name>-scripts and run as the
# container command of every PostgreSQL pod. The same file runs in the loopback test fixture: everything
# environment-specific comes from the variables below.
#
# The pod's role comes from its label learningdb.io/role (primary|replica), which the operator sets and the
# downward API writes into $PODINFO_LABELS. A primary with an empty data directory runs initdb and the
# bootstrap SQL; a replica with an empty data directory clones the primary with pg_basebackup; a former
# primary that is now labelled replica rejoins with pg_rewind (re-clone when rewind fails; the diverged
# data directory is kept aside, never deleted).
set -euo pipefail

: "${PGDATA:?PGDATA must be set}"
: "${POD_NAME:?POD_NAME must be set}"
PGPORT=${PGPORT:-5432}
LISTEN_ADDRESSES=${LISTEN_ADDRESSES:-*}
PG_SOCKET_DIR=${PG_SOCKET_DIR:-/var/run/postgresql}
PODINFO_LABELS=${PODINFO_LABELS:-/etc/podinfo/labels}
PODINFO_ANNOTATIONS=${PODINFO_ANNOTATIONS:-/etc/podinfo/annotations}
CONFIG_DIR=${CONFIG_DIR:-/etc/learningdb/config}
SCRIPTS_DIR=${SCRIPTS_DIR:-/etc/learningdb/scripts}
SECRETS_DIR=${SECRETS_DIR:-/etc/learningdb/secrets}
RUN_DIR=${RUN_DIR:-/tmp/learningdb}
PRIMARY_HOST=${PRIMARY_HOST:?PRIMARY_HOST must be set (the <name>-rw service)}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
APP_DATABASE=${APP_DATABASE:-app}
APP_OWNER=${APP_OWNER:-app}
INIT_SQL=${INIT_SQL:-}
ROLE_WAIT_SECONDS=${ROLE_WAIT_SECONDS:-600}
# Backups (spec.backup): pgBackRest reads its configuration from $PGBACKREST_CONFIG (archive_command names no file).
BACKUP_SH=${BACKUP_SH:-/etc/learningdb/backup/backup.sh}
# Recovery (bootstrap.recovery): the source's repository and what to recover to; keys in RECOVERY_S3_KEY[_SECRET].
RECOVERY_CONFIG=${RECOVERY_CONFIG:-}
RECOVERY_SOURCE_PATH=${RECOVERY_SOURCE_PATH:-}
RECOVERY_TARGET=${RECOVERY_TARGET:-latest}
PRIVATE_SOCKET_DIR="$RUN_DIR/private"
# Server certificate (tls.crt, tls.key, ca.crt) from the TLS Secret; absent when spec.tls.enabled is false.
TLS_DIR=${TLS_DIR:-/etc/learningdb/tls}
if [ -z "${PGBIN:-}" ]; then
  PGBIN=$(dirname "$(command -v postgres 2>/dev/null || echo /usr/lib/postgresql/"${PG_MAJOR:-16}"/bin/postgres)")
fi
SLOT=$(echo "$POD_NAME" | tr -- '-.' '__')
export PGPASSFILE="$RUN_DIR/pgpass" SECRETS_DIR APP_DATABASE APP_OWNER
if [ -s "$TLS_DIR/tls.crt" ]; then
  # Every TCP connection this script or the walreceiver opens to the primary verifies its certificate against
  # the cluster's CA and name (libpq ignores sslmode on Unix sockets, so local connections are unaffected).
  export PGSSLMODE=verify-full PGSSLROOTCERT="$TLS_DIR/ca.crt"
  # no client certificate: point libpq away from $HOME/.postgresql, which may be unreadable in a container
  export PGSSLCERT="$RUN_DIR/no-client-cert.crt" PGSSLKEY="$RUN_DIR/no-client-cert.key"
  TLS=on
else
  TLS=off
fi

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) learningdb[$POD_NAME]: $*" >&2; }

# --- isolation: a primary that reaches neither the API server nor any replica stops serving ---
# The operator may fail over a primary it cannot reach; clients that still reach it must not go on writing there.
# kubelet sets KUBERNETES_SERVICE_HOST/PORT in every container (service links or not).
ISOLATION_SECONDS=${ISOLATION_SECONDS:-10}
ISOLATION_CHECK_SECONDS=${ISOLATION_CHECK_SECONDS:-2}
api_reachable() {
  [ -n "${KUBERNETES_SERVICE_HOST:-}" ] || return 1
  timeout 2 bash -c "exec 3<>/dev/tcp/${KUBERNETES_SERVICE_HOST}/${KUBERNETES_SERVICE_PORT:-443}" 2>/dev/null
}
local_sql() {
  "$PGBIN/psql" -XAtq -h "$PG_SOCKET_DIR" -p "$PGPORT" -U postgres -d postgres -c "$1" 2>/dev/null
}
# Not isolated when: the API server answers, a replica streams from us, or no replica is expected (no slot:
# a single instance has no one to hand over to, so stopping it would only be an outage), or we cannot tell.
connected_or_alone() {
  api_reachable && return 0
  local streaming slots
  streaming=$(local_sql "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") || return 0
  slots=$(local_sql "SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'physical'") || return 0
  [ "${streaming:-0}" -gt 0 ] || [ "${slots:-0}" -eq 0 ]
}
watch_isolation() {
  local pid=$1 since=0 now
  while kill -0 "$pid" 2>/dev/null; do
    sleep "$ISOLATION_CHECK_SECONDS"
    if connected_or_alone; then since=0; continue; fi
    now=$(date +%s)
    [ "$since" -ne 0 ] || { since=$now; log "primary isolated: neither the API server nor any replica answers"; }
    if [ $((now - since)) -ge "$ISOLATION_SECONDS" ]; then
      log "isolated for ${ISOLATION_SECONDS}s: stopping (fast shutdown) so that no client writes to a primary the operator may have replaced"
      touch "$RUN_DIR/self-fenced"
      kill -INT "$pid" 2>/dev/null || true
      return 0
    fi
  done
}
# After a self-fence the container restarts; it stays down until the API server answers again, then takes the role
# the operator gives it (a replica by then, if it failed over: it rejoins with pg_rewind).
wait_after_self_fence() {
  [ -f "$RUN_DIR/self-fenced" ] || return 0
  local waited=0
  until api_reachable; do
    [ $((waited % 30)) -eq 0 ] && log "stopped after isolation: waiting for the API server before serving again"
    sleep 2; waited=$((waited + 2))
  done
  rm -f "$RUN_DIR/self-fenced"
  log "API server reachable again: starting with the role the operator gives"
}

# --- role from the downward API (the operator labels the pod; wait until it has) ---
read_role() {
  [ -r "$PODINFO_LABELS" ] || return 0
  sed -n 's/^learningdb\.io\/role="\(.*\)"$/\1/p' "$PODINFO_LABELS"
}
# The cluster's system identifier once it has served (the operator writes it with the role): a primary with an
# empty data directory must not create a new database in a cluster that already has one.
read_system_identifier() {
  [ -r "$PODINFO_ANNOTATIONS" ] || return 0
  sed -n 's/^learningdb\.io\/system-identifier="\(.*\)"$/\1/p' "$PODINFO_ANNOTATIONS"
}
wait_for_role() {
  local waited=0 role
  while :; do
    role=$(read_role)
    case "$role" in primary|replica) echo "$role"; return 0 ;; esac
    if [ "$waited" -ge "$ROLE_WAIT_SECONDS" ]; then
      log "no learningdb.io/role label after ${ROLE_WAIT_SECONDS}s; is the operator running?"; return 1
    fi
    [ $((waited % 15)) -eq 0 ] && log "waiting for the operator to set label learningdb.io/role"
    sleep 1; waited=$((waited + 1))
  done
}

# --- credentials: a private passfile (no password ever on a command line) ---
write_passfile() {
  mkdir -p "$RUN_DIR"; chmod 700 "$RUN_DIR"
  umask 077
  {
    printf '*:*:*:%s:%s\n' replicator "$(cat "$SECRETS_DIR/replication/password")"
    printf '*:*:*:%s:%s\n' postgres "$(cat "$SECRETS_DIR/superuser/password")"
  } > "$PGPASSFILE"
  umask 022
}

# Config files come from the ConfigMap: installed on every start, and while the server runs, reloaded when kubelet
# updates the mounted ConfigMap (watch_config). postgresql.conf carries learningdb.config_version, which the operator
# reads back to know which version each instance has loaded, and pg_settings.pending_restart says what needs a restart.
install_config() {
  local dir=$1
  cp "$CONFIG_DIR/postgresql.conf" "$dir/postgresql.conf.new"
  cp "$CONFIG_DIR/pg_hba.conf" "$dir/pg_hba.conf.new"
  chmod 600 "$dir/postgresql.conf.new" "$dir/pg_hba.conf.new"
  mv "$dir/postgresql.conf.new" "$dir/postgresql.conf"
  mv "$dir/pg_hba.conf.new" "$dir/pg_hba.conf"
}
config_changed() {
  ! cmp -s "$CONFIG_DIR/postgresql.conf" "$PGDATA/postgresql.conf" || ! cmp -s "$CONFIG_DIR/pg_hba.conf" "$PGDATA/pg_hba.conf"
}
# A changed configuration is applied by a reload (SIGHUP): sessions, streaming and pooled connections stay. Parameters
# that need a restart stay pending (pg_settings.pending_restart) until the operator restarts the instance in turn.
# What is installed is confirmed loaded (learningdb.config_version as the server reports it), not assumed: a reload
# that did not reach the server — a lost signal, or files installed by the watch loop of an earlier run of this
# script — is signalled again, so the server never stays on older files than $PGDATA holds (each time waiting twice as
# long: a file the server rejects as a whole is retried, not hammered). One local query per installed version while
# unconfirmed, none at steady state.
CONFIG_CHECK_SECONDS=${CONFIG_CHECK_SECONDS:-5}
CONFIG_CONFIRM_CHECKS=${CONFIG_CONFIRM_CHECKS:-3}
installed_config_version() {
  sed -n "s/^learningdb.config_version = '\(.*\)'$/\1/p" "$PGDATA/postgresql.conf"
}
watch_config() {
  local pid=$1 confirmed="" unconfirmed=0 patience=$CONFIG_CONFIRM_CHECKS installed loaded
  while kill -0 "$pid" 2>/dev/null; do
    sleep "$CONFIG_CHECK_SECONDS"
    if config_changed; then
      install_config "$PGDATA"
      kill -HUP "$pid" 2>/dev/null || return 0
      log "configuration changed: reloaded ($(installed_config_version))"
      unconfirmed=0 patience=$CONFIG_CONFIRM_CHECKS
    fi
    installed=$(installed_config_version)
    if [ "$installed" != "$confirmed" ]; then
      # bounded: a server that does not answer must not stall the loop (TLS changes are installed by it too)
      loaded=$(PGCONNECT_TIMEOUT=5 PGOPTIONS="-c statement_timeout=5000" \
        local_sql "SELECT coalesce(current_setting('learningdb.config_version', true), 'none')") || loaded=""
      if [ "$loaded" = "$installed" ]; then
        confirmed=$installed unconfirmed=0 patience=$CONFIG_CONFIRM_CHECKS
      elif [ -n "$loaded" ] && [ $((unconfirmed += 1)) -ge "$patience" ]; then
        kill -HUP "$pid" 2>/dev/null || return 0
        log "configuration $installed is installed but the server runs $loaded: reload signalled again"
        unconfirmed=0 patience=$((patience < 64 ? patience * 2 : 128))
      fi
    fi
    if tls_changed; then
      install_tls
      kill -HUP "$pid" 2>/dev/null || return 0
      log "TLS certificate or CA bundle changed: reloaded ($(tls_fingerprint "$RUN_DIR/tls"))"
    fi
  done
}

# PostgreSQL wants its key owned by itself with mode 0600: the Secret volume's files are copied on every start, and
# while the server runs watch_config installs a changed certificate, key or CA bundle the same way and reloads
# (PostgreSQL re-reads its TLS files on SIGHUP): a renewed certificate or a CA rotation restarts nothing.
# $PGDATA/learningdb-tls.conf (included by postgresql.conf) names what is installed, read back by the operator as
# learningdb.tls_fingerprint: the SHA-256 of tls.crt, NUL, ca.crt, NUL, first 16 hex digits — the operator computes
# the same over the Secret, so it knows when every pod has the Secret's current certificate and trust.
tls_fingerprint() {
  { cat "$1/tls.crt"; printf '\000'; cat "$1/ca.crt"; printf '\000'; } | sha256sum | cut -c1-16
}
install_tls() {
  [ "$TLS" = on ] || { rm -f "$PGDATA/learningdb-tls.conf"; return 0; }
  mkdir -p "$RUN_DIR/tls"
  local f
  for f in tls.crt ca.crt tls.key; do
    (umask 077; cp "$TLS_DIR/$f" "$RUN_DIR/tls/$f.new")
  done
  chmod 600 "$RUN_DIR/tls/tls.key.new"
  # the key and certificate are replaced together: a reload between the two would pair a key with another certificate
  mv "$RUN_DIR/tls/tls.key.new" "$RUN_DIR/tls/tls.key"
  mv "$RUN_DIR/tls/tls.crt.new" "$RUN_DIR/tls/tls.crt"
  mv "$RUN_DIR/tls/ca.crt.new" "$RUN_DIR/tls/ca.crt"
  echo "learningdb.tls_fingerprint = '$(tls_fingerprint "$RUN_DIR/tls")'" > "$PGDATA/learningdb-tls.conf.new"
  chmod 600 "$PGDATA/learningdb-tls.conf.new"
  mv "$PGDATA/learningdb-tls.conf.new" "$PGDATA/learningdb-tls.conf"
}
tls_changed() {
  [ "$TLS" = on ] || return 1
  ! cmp -s "$TLS_DIR/tls.crt" "$RUN_DIR/tls/tls.crt" || ! cmp -s "$TLS_DIR/tls.key" "$RUN_DIR/tls/tls.key" \
    || ! cmp -s "$TLS_DIR/ca.crt" "$RUN_DIR/tls/ca.crt"
}

primary_conninfo() {
  echo "host=$PRIMARY_HOST port=$PRIMARY_PORT user=replicator passfile=$PGPASSFILE application_name=$POD_NAME connect_timeout=5 sslmode=${PGSSLMODE:-prefer}${PGSSLROOTCERT:+ sslrootcert=$PGSSLROOTCERT}"
}

wait_for_primary() {
  local waited=0
  until "$PGBIN/pg_isready" -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -t 3; do
    [ $((waited % 15)) -eq 0 ] && log "waiting for the primary at $PRIMARY_HOST:$PRIMARY_PORT"
    sleep 1; waited=$((waited + 1))
  done
}

bootstrap_primary() {
  local tmp="$PGDATA.init"
  log "empty data directory: initdb and bootstrap as primary"
  rm -rf "$tmp"
  "$PGBIN/initdb" -D "$tmp" -U postgres -E UTF8 --locale=C.UTF-8 --data-checksums \
      --auth-local=peer --auth-host=scram-sha-256 --pwfile="$SECRETS_DIR/superuser/password" >&2
  install_config "$tmp"
  # A private server: no TCP listener while the bootstrap SQL runs, and its own authentication: this OS user
  # logs in over the socket as the superuser (bootstrap.sql) or as the application owner (the user's init SQL).
  # The init SQL's session user is the owner itself, so neither SET ROLE NONE nor RESET ROLE can reach the
  # superuser (with a superuser session and only the role switched, both would).
  start_private "$tmp" -w
  local ok=1
  if "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PRIVATE_SOCKET_DIR" -p "$PGPORT" -U postgres -d postgres \
        -f "$SCRIPTS_DIR/bootstrap.sql" >&2; then
    if [ -n "$INIT_SQL" ]; then
      log "running init SQL $INIT_SQL as $APP_OWNER (session user, not a superuser) in $APP_DATABASE"
      "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 --single-transaction \
          -h "$PRIVATE_SOCKET_DIR" -p "$PGPORT" -U "$APP_OWNER" -d "$APP_DATABASE" -f "$INIT_SQL" >&2 || ok=0
    fi
  else
    ok=0
  fi
  "$PGBIN/pg_ctl" -D "$tmp" -w -t 300 -m fast stop >&2
  if [ "$ok" != 1 ]; then
    log "bootstrap SQL failed; the half-initialised data directory is removed and the next start retries"
    rm -rf "$tmp"; return 1
  fi
  mv "$tmp" "$PGDATA"
  log "bootstrap complete"
}

# A private server: no TCP listener and its own socket directory, so neither clients, nor the operator, nor the pod's
# probes see it (a recovery that replays for hours keeps the pod unready instead of ready-but-unreachable); its only
# login is this OS user over that socket (as postgres or the owner).
start_private() {
  local dir=$1 wait=$2
  mkdir -p "$PRIVATE_SOCKET_DIR"; chmod 700 "$PRIVATE_SOCKET_DIR"
  local os_user; os_user=$(id -un)
  printf 'local all all peer map=bootstrap\n' > "$RUN_DIR/bootstrap_hba.conf"
  printf 'bootstrap "%s" postgres\nbootstrap "%s" "%s"\n' "$os_user" "$os_user" "$APP_OWNER" > "$RUN_DIR/bootstrap_ident.conf"
  "$PGBIN/pg_ctl" -D "$dir" "$wait" -t 300 -l "$RUN_DIR/bootstrap.log" \
      -o "-c listen_addresses='' -c port=$PGPORT -c unix_socket_directories=$PRIVATE_SOCKET_DIR -c hba_file=$RUN_DIR/bootstrap_hba.conf -c ident_file=$RUN_DIR/bootstrap_ident.conf" start >&2
}

# bootstrap.recovery: the first primary is restored from the source cluster's repository instead of initdb. Recovery
# runs in a private server until it is promoted (no client, not even the operator, sees a half-recovered database),
# then the credentials become this cluster's and the recovery settings are removed.
recover_primary() {
  local tmp="$PGDATA.restore"
  rm -rf "$tmp"
  log "empty data directory: restoring from $RECOVERY_SOURCE_PATH (target: $RECOVERY_TARGET) instead of initdb"
  if ! PGBACKREST_CONFIG="$RECOVERY_CONFIG" PGBACKREST_REPO1_S3_KEY="${RECOVERY_S3_KEY:-}" \
       PGBACKREST_REPO1_S3_KEY_SECRET="${RECOVERY_S3_KEY_SECRET:-}" RUN_DIR="$RUN_DIR" \
       bash "$BACKUP_SH" restore "$tmp" "$RECOVERY_SOURCE_PATH" "$RECOVERY_TARGET" >&2; then
    log "restore failed; nothing is kept and the next start retries"
    rm -rf "$tmp"; return 1
  fi
  # WAL comes from the source's path with the source's keys, named by reference: no key is written to a file.
  # Archiving (archive_command, own path, own keys) never writes into the source's repository.
  sed -i '/^restore_command/d' "$tmp/postgresql.auto.conf"
  printf "restore_command = 'PGBACKREST_REPO1_S3_KEY=\"\$RECOVERY_S3_KEY\" PGBACKREST_REPO1_S3_KEY_SECRET=\"\$RECOVERY_S3_KEY_SECRET\" pgbackrest --config=%s --repo1-path=%s --pg1-path=%s --stanza=learningdb archive-get %%f \"%%p\"'\n" \
      "$RECOVERY_CONFIG" "$RECOVERY_SOURCE_PATH" "$tmp" >> "$tmp/postgresql.auto.conf"
  install_config "$tmp"
  chmod 700 "$tmp"
  start_private "$tmp" -W
  local waited=0 state
  while :; do
    if ! "$PGBIN/pg_ctl" -D "$tmp" status >/dev/null 2>&1 && [ "$waited" -gt 5 ]; then
      tail -n 20 "$RUN_DIR/bootstrap.log" >&2 || true
      log "recovery stopped before it was promoted (see above: e.g. the target is after the last archived WAL); the restored directory is removed and the next start retries"
      rm -rf "$tmp"; return 1
    fi
    state=$("$PGBIN/psql" -XAtq -h "$PRIVATE_SOCKET_DIR" -p "$PGPORT" -U postgres -d postgres -c "SELECT pg_is_in_recovery()" 2>/dev/null) || state=""
    [ "$state" = f ] && break
    [ $((waited % 30)) -eq 0 ] && log "recovering (replaying archived WAL)"
    sleep 1; waited=$((waited + 1))
  done
  log "recovery reached its target and promoted: $("$PGBIN/psql" -XAtq -h "$PRIVATE_SOCKET_DIR" -p "$PGPORT" -U postgres -d postgres -c "SELECT 'timeline ' || timeline_id FROM pg_control_checkpoint()")"
  local ok=1
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PRIVATE_SOCKET_DIR" -p "$PGPORT" -U postgres -d postgres \
      -f "$SCRIPTS_DIR/recovered.sql" >&2 || ok=0
  "$PGBIN/psql" -XAtq -h "$PRIVATE_SOCKET_DIR" -p "$PGPORT" -U postgres -d postgres \
      -c "ALTER SYSTEM RESET restore_command" -c "ALTER SYSTEM RESET recovery_target_time" \
      -c "ALTER SYSTEM RESET recovery_target_lsn" -c "ALTER SYSTEM RESET recovery_target_action" >&2 || ok=0
  if [ "$ok" = 1 ] && [ -n "${PGBACKREST_CONFIG:-}" ]; then
    # this cluster's own repository, created while the server is up (it runs from $tmp until it moves)
    PGBACKREST_PG1_PATH="$tmp" PGBACKREST_PG1_SOCKET_PATH="$PRIVATE_SOCKET_DIR" bash "$BACKUP_SH" stanza >&2 || log "stanza not created yet (the store may be unreachable): retried once serving"
  fi
  "$PGBIN/pg_ctl" -D "$tmp" -w -t 300 -m fast stop >&2
  if [ "$ok" != 1 ]; then
    log "the recovered database does not fit this cluster's bootstrap (see above); the restored directory is removed"
    rm -rf "$tmp"; return 1
  fi
  mv "$tmp" "$PGDATA"
  log "recovery complete"
}

# A primary with backups creates its repository's stanza (idempotent); until the store answers, WAL waits in pg_wal.
# After a major upgrade (marker learningdb-stanza-upgrade, written by upgrade.sh) the stanza is upgraded instead: only
# then, never on a mere mismatch, which could as well be another cluster's repository.
ensure_stanza() {
  local waited=0 command=stanza
  [ ! -f "$PGDATA/learningdb-stanza-upgrade" ] || command=stanza-upgrade
  while :; do
    if bash "$BACKUP_SH" "$command" > "$RUN_DIR/stanza.log" 2>&1; then
      [ "$waited" -eq 0 ] || log "backup repository reachable: stanza ready"
      [ "$command" = stanza ] || { rm -f "$PGDATA/learningdb-stanza-upgrade"; log "backup repository upgraded to this major version"; }
      return 0
    fi
    [ $((waited % 300)) -eq 0 ] && { tail -n 3 "$RUN_DIR/stanza.log" >&2; log "backup repository not ready: WAL is kept until it is (retrying)"; }
    sleep 30; waited=$((waited + 30))
  done
}

clone_from_primary() {
  local tmp="$PGDATA.clone"
  wait_for_primary
  rm -rf "$tmp"
  log "cloning from $PRIMARY_HOST:$PRIMARY_PORT with slot $SLOT"
  if ! "$PGBIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U replicator -D "$tmp" \
        -X stream -c fast -C -S "$SLOT" 2>"$RUN_DIR/basebackup.err"; then
    if grep -q "already exists" "$RUN_DIR/basebackup.err"; then
      log "slot $SLOT exists on the primary: cloning with it"; rm -rf "$tmp"
      "$PGBIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U replicator -D "$tmp" -X stream -c fast -S "$SLOT" >&2
    else
      cat "$RUN_DIR/basebackup.err" >&2; rm -rf "$tmp"; return 1
    fi
  fi
  touch "$tmp/standby.signal"
  mv "$tmp" "$PGDATA"
  log "clone complete"
}

# A data directory without standby.signal that must now be a replica was a primary: rewind it onto the
# current primary's timeline, or keep it aside and re-clone.
rejoin_as_replica() {
  wait_for_primary
  log "former primary rejoining as replica: pg_rewind from $PRIMARY_HOST"
  local own_end
  own_end=$("$PGBIN/pg_controldata" -D "$PGDATA" 2>/dev/null | sed -n "s/^Latest checkpoint location: *//p") || own_end=""
  if "$PGBIN/pg_rewind" -D "$PGDATA" --source-server="host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres dbname=postgres connect_timeout=5" \
      > "$RUN_DIR/pg_rewind.log" 2>&1; then
    cat "$RUN_DIR/pg_rewind.log" >&2
    touch "$PGDATA/standby.signal"
    local diverged; diverged=$(sed -n 's/.*servers diverged at WAL location \([0-9A-F/]*\).*/\1/p' "$RUN_DIR/pg_rewind.log") || diverged=""
    if [ -n "$diverged" ]; then
      log "pg_rewind discarded this instance's WAL after ${diverged} (its last checkpoint was at ${own_end:-unknown}): transactions it committed there and no replica received are gone"
    fi
    log "pg_rewind complete"
  else
    cat "$RUN_DIR/pg_rewind.log" >&2
    # named by time: a second failure never replaces the copy an earlier one kept
    local aside; aside="$PGDATA.diverged-$(date -u +%Y%m%dT%H%M%SZ)"
    log "pg_rewind failed: keeping the old data directory as $aside and re-cloning"
    mv "$PGDATA" "$aside"
    clone_from_primary
  fi
}

# --- major versions: the data directory's against this image's binaries ---
# A major upgrade is the operator's (Job <name>-upgrade runs upgrade.sh on the primary's volume while every instance is
# stopped). A primary whose data is of another major never starts on it. A replica whose data is of an older major
# than the primary it follows is re-cloned: its data belongs to the cluster before the upgrade (pg_upgrade gave the
# primary a new system identifier), and nothing on it is newer than what the primary holds. It is re-cloned only once
# the primary answers with this image's major, so a wrong image never costs a replica its data.
binaries_major() { "$PGBIN/postgres" -V | sed -n 's/^postgres (PostgreSQL) \([0-9]*\).*/\1/p'; }
primary_major() {
  PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -XAtq "$(primary_conninfo) dbname=replication replication=true" \
      -c "SHOW server_version_num" 2>/dev/null | cut -c1-2 | sed 's/^0*//'
}
check_major_version() {
  local role=$1 data binaries
  [ -s "$PGDATA/PG_VERSION" ] || return 0
  data=$(cat "$PGDATA/PG_VERSION"); binaries=$(binaries_major)
  [ "$data" != "$binaries" ] || return 0
  if [ "$role" = primary ] || [ "$data" -gt "$binaries" ]; then
    log "refusing to start: the data directory is PostgreSQL $data and this image runs $binaries; a major upgrade is the operator's (spec.postgres.version), never a start on the other major. Not serving."
    exit 1
  fi
  local waited=0 major
  while :; do
    wait_for_primary
    major=$(primary_major) || major=""
    [ "$major" = "$binaries" ] && break
    [ $((waited % 30)) -eq 0 ] && log "data directory is PostgreSQL $data, this image $binaries, the primary ${major:-unknown}: waiting for the primary to run $binaries before re-cloning"
    sleep 5; waited=$((waited + 5))
  done
  log "data directory is PostgreSQL $data and the primary runs $binaries (upgraded): removing this replica's old data and re-cloning"
  rm -rf "$PGDATA" "$PGDATA.upgrade-old"
}

# The first start after a major upgrade: statistics are not carried over by pg_upgrade, so the planner has none until
# ANALYZE: vacuumdb --analyze-in-stages gives every table coarse statistics within seconds, then full ones, while the
# server already serves. Then the old cluster's directory (kept by upgrade.sh for a manual way back until this
# start) is removed.
analyze_after_upgrade() {
  [ -f "$PGDATA/learningdb-upgraded" ] || return 0
  local waited=0
  until "$PGBIN/pg_isready" -q -h "$PG_SOCKET_DIR" -p "$PGPORT" -t 3; do
    sleep 1; waited=$((waited + 1)); [ "$waited" -lt 600 ] || return 0
  done
  rm -rf "$PGDATA.upgrade-old"
  log "first start after a major upgrade ($(cat "$PGDATA/learningdb-upgraded")): analyzing in stages"
  if "$PGBIN/vacuumdb" -h "$PG_SOCKET_DIR" -p "$PGPORT" -U postgres --all --analyze-in-stages > "$RUN_DIR/analyze.log" 2>&1; then
    rm -f "$PGDATA/learningdb-upgraded"
    log "statistics rebuilt after the major upgrade"
  else
    tail -n 5 "$RUN_DIR/analyze.log" >&2
    log "analyze after the major upgrade failed (see above): retried at the next start"
  fi
}

# A hot standby refuses to start below the values its control file recorded of the primary (max_connections and four
# more): "recovery aborted because of insufficient parameter settings". A replica that was stopped while its primary
# lowered one of them has not replayed the lower value yet, and with it configured would never start to replay it. So
# a replica starts with at least the recorded value (this run only: the next start takes the configured one, by then
# replayed); the primary's own restart is what lowers them (the operator restarts it first, in place).
replica_floor() {
  local control pair guc label recorded configured
  control=$("$PGBIN/pg_controldata" -D "$PGDATA" 2>/dev/null) || return 0
  for pair in max_connections:max_connections max_worker_processes:max_worker_processes max_wal_senders:max_wal_senders \
              max_prepared_transactions:max_prepared_xacts max_locks_per_transaction:max_locks_per_xact; do
    guc=${pair%%:*}; label=${pair#*:}
    recorded=$(printf '%s\n' "$control" | sed -n "s/^$label setting: *//p")
    configured=$("$PGBIN/postgres" -D "$PGDATA" -C "$guc" 2>/dev/null) || continue
    if [ -n "$recorded" ] && [ "$recorded" -gt "$configured" ] 2>/dev/null; then
      log "$guc: configured $configured, but the primary ran $recorded when this replica last replayed its settings: starting with $recorded until it replays the lower value (the next start takes $configured)"
      printf '%s\n' "-c" "$guc=$recorded"
    fi
  done
}

main() {
  mkdir -p "$PG_SOCKET_DIR"
  write_passfile
  wait_after_self_fence
  local role; role=$(wait_for_role)
  log "role: $role"
  if [ "$role" = primary ]; then
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      local expected; expected=$(read_system_identifier)
      if [ -n "$expected" ]; then
        log "refusing to initdb: labelled primary with an empty data directory, but this cluster already holds database $expected (system identifier); its data is elsewhere (another instance, a backup). Not serving."
        exit 1
      fi
      if [ -n "$RECOVERY_SOURCE_PATH" ]; then recover_primary; else bootstrap_primary; fi
    fi
    # labelled primary: the operator decided this instance leads (it promotes running replicas itself)
    rm -f "$PGDATA/standby.signal"
    check_major_version primary
  else
    check_major_version replica
    if [ ! -s "$PGDATA/PG_VERSION" ]; then clone_from_primary
    elif [ ! -f "$PGDATA/standby.signal" ]; then rejoin_as_replica
    fi
  fi
  install_config "$PGDATA"
  # a switchover makes the old primary read-only with ALTER SYSTEM; that must not outlive its demotion
  if [ -f "$PGDATA/postgresql.auto.conf" ]; then
    sed -i '/^default_transaction_read_only/d' "$PGDATA/postgresql.auto.conf"
  fi
  chmod 700 "$PGDATA"
  local args=(-D "$PGDATA" -c "port=$PGPORT" -c "listen_addresses=$LISTEN_ADDRESSES"
              -c "unix_socket_directories=$PG_SOCKET_DIR" -c "cluster_name=$POD_NAME")
  install_tls
  if [ "$TLS" = on ]; then
    args+=(-c ssl=on -c "ssl_cert_file=$RUN_DIR/tls/tls.crt" -c "ssl_key_file=$RUN_DIR/tls/tls.key"
           -c "ssl_ca_file=$RUN_DIR/tls/ca.crt" -c ssl_min_protocol_version=TLSv1.2)
  fi
  if [ "$role" = replica ]; then
    # identity on the command line wins over postgresql.auto.conf, which pg_basebackup/pg_rewind copy verbatim
    args+=(-c "primary_conninfo=$(primary_conninfo)" -c "primary_slot_name=$SLOT")
    local floor
    while IFS= read -r floor; do args+=("$floor"); done < <(replica_floor)
  fi
  log "starting postgres as $role"
  "$PGBIN/postgres" "${args[@]}" &
  local pid=$! rc=0
  # Kubernetes stops a pod with SIGTERM, which PostgreSQL takes as a *smart* shutdown: every open session (the
  # pooler's server connections among them) goes on committing until the grace period ends. A primary being stopped
  # must stop taking writes at once: SIGTERM and SIGINT become a fast shutdown (open transactions are rolled back,
  # sessions are closed, then the shutdown checkpoint).
  trap 'log "stop requested: fast shutdown (open sessions are closed, nothing more commits)"; kill -INT "$pid" 2>/dev/null || true' TERM INT
  watch_config "$pid" &
  if [ "$role" = primary ]; then
    watch_isolation "$pid" &
    analyze_after_upgrade &
    if [ -n "${PGBACKREST_CONFIG:-}" ]; then ensure_stanza & else rm -f "$PGDATA/learningdb-stanza-upgrade"; fi
  fi
  while kill -0 "$pid" 2>/dev/null; do
    if wait "$pid"; then rc=0; else rc=$?; fi # a trapped signal cuts wait short (rc > 128): wait again
  done
  log "postgres exited ($rc)"
  # as the container's end would: no loop of this script outlives the server (they write into $PGDATA)
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  exit "$rc"
}

main "$@"
