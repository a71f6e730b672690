#!/bin/sh
# LearningDB pooler entrypoint: rendered by the operator into ConfigMap <name>-pooler-config and run as the container
# command of every PgBouncer pod (POSIX sh: the PgBouncer image need not have bash). The same file runs in the
# loopback test fixture: everything environment-specific comes from the variables below.
#
# PgBouncer reads its TLS files at start and on SIGHUP (the same as RELOAD). This script copies the mounted Secret's
# certificate, key and CA bundle into a directory named by their fingerprint and points PgBouncer at it through
# $RUN_DIR/tls.ini (pgbouncer.ini ends with %include of it); while PgBouncer runs it installs changed files the same
# way and sends SIGHUP. No client is disconnected, and SHOW CONFIG's client_tls_cert_file tells the operator which
# certificate and CA bundle each pooler pod has loaded (a CA rotation waits for every pod).
set -eu

PGBOUNCER=${PGBOUNCER:-pgbouncer}
PGBOUNCER_INI=${PGBOUNCER_INI:-/etc/pgbouncer/pgbouncer.ini}
TLS_DIR=${TLS_DIR:-/etc/pgbouncer/tls}
RUN_DIR=${RUN_DIR:-/tmp/pgbouncer}
TLS_CHECK_SECONDS=${TLS_CHECK_SECONDS:-5}

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) learningdb-pooler: $*" >&2; }

# SHA-256 of tls.crt, NUL, ca.crt, NUL, first 16 hex digits: what the operator computes over the Secret.
fingerprint() {
  { cat "$1/tls.crt"; printf '\000'; cat "$1/ca.crt"; printf '\000'; } | sha256sum | cut -c1-16
}

installed_dir() {
  [ -f "$RUN_DIR/tls.ini" ] || return 0
  sed -n 's|^client_tls_cert_file = \(.*\)/tls\.crt$|\1|p' "$RUN_DIR/tls.ini"
}

tls_changed() {
  [ -s "$TLS_DIR/tls.crt" ] || return 1
  dir=$(installed_dir)
  [ -n "$dir" ] || return 0
  ! cmp -s "$TLS_DIR/tls.crt" "$dir/tls.crt" || ! cmp -s "$TLS_DIR/tls.key" "$dir/tls.key" \
    || ! cmp -s "$TLS_DIR/ca.crt" "$dir/ca.crt"
}

install_tls() {
  if [ ! -s "$TLS_DIR/tls.crt" ]; then
    : > "$RUN_DIR/tls.ini"
    return 0
  fi
  tmp="$RUN_DIR/tls/.new"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (umask 077; cp "$TLS_DIR/tls.crt" "$TLS_DIR/tls.key" "$TLS_DIR/ca.crt" "$tmp/")
  # named by what was copied, not by what the volume holds now (kubelet may swap it meanwhile)
  dir="$RUN_DIR/tls/$(fingerprint "$tmp")"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  {
    echo "client_tls_cert_file = $dir/tls.crt"
    echo "client_tls_key_file = $dir/tls.key"
    echo "client_tls_ca_file = $dir/ca.crt"
    echo "server_tls_ca_file = $dir/ca.crt"
  } > "$RUN_DIR/tls.ini.new"
  mv "$RUN_DIR/tls.ini.new" "$RUN_DIR/tls.ini"
}

forget_old_tls() {
  keep=$(installed_dir)
  for d in "$RUN_DIR"/tls/*; do
    [ -d "$d" ] && [ "$d" != "$keep" ] && rm -rf "$d"
  done
  return 0
}

watch_tls() {
  while kill -0 "$1" 2>/dev/null; do
    sleep "$TLS_CHECK_SECONDS"
    tls_changed || continue
    install_tls
    kill -HUP "$1" 2>/dev/null || return 0
    log "TLS certificate or CA bundle changed: reloaded ($(basename "$(installed_dir)"))"
    sleep 1
    forget_old_tls # PgBouncer has read the files it needs
  done
}

umask 077
mkdir -p "$RUN_DIR/tls"
install_tls
forget_old_tls
"$PGBOUNCER" "$PGBOUNCER_INI" &
pid=$!
# kubelet stops the pod with SIGTERM: PgBouncer gets the signal it would get as the container's first process
trap 'kill -TERM "$pid" 2>/dev/null || true' TERM
trap 'kill -INT "$pid" 2>/dev/null || true' INT
watch_tls "$pid" &
watcher=$!
rc=0
while kill -0 "$pid" 2>/dev/null; do
  if wait "$pid"; then rc=0; else rc=$?; fi # a trapped signal cuts wait short: wait again
done
kill "$watcher" 2>/dev/null || true
exit "$rc"
