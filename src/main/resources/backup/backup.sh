#!/bin/bash
# Backups and point-in-time recovery of one LearningDatabase with pgBackRest, against the repository described by
# the rendered pgbackrest.conf ($PGBACKREST_CONFIG). The object store's keys come from the environment
# (PGBACKREST_REPO1_S3_KEY, PGBACKREST_REPO1_S3_KEY_SECRET), never from the file.
#
#   backup.sh stanza                               create the repository's stanza (idempotent)
#   backup.sh backup [full|diff|incr]              take a base backup of the running primary, then apply retention
#   backup.sh restore PGDATA SOURCE_PATH [TARGET]  restore into an empty PGDATA from SOURCE_PATH (the repository
#                                                  path of the cluster restored from), then recover to TARGET:
#                                                  latest (default), an RFC 3339 time, or lsn:X/Y
set -euo pipefail

: "${PGBACKREST_CONFIG:?the rendered pgbackrest.conf}"
STANZA=learningdb

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) learningdb-backup: $*" >&2; }
pgbr() { pgbackrest --config="$PGBACKREST_CONFIG" --stanza="$STANZA" "$@"; }

# An RFC 3339 time as pgBackRest and recovery_target_time read it: "YYYY-MM-DD HH:MM:SS[.frac]+HH[:MM]".
recovery_time() {
  local t=$1
  if [[ ! $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt\ ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:?[0-9]{2})$ ]]; then
    log "recovery target '$t' is not an RFC 3339 time (e.g. 2026-12-01T10:15:00Z)"
    exit 2
  fi
  t=${t/[Tt]/ }
  case "$t" in
    *[Zz]) t="${t%?}+00" ;;
  esac
  echo "$t"
}

case "${1:-}" in
  stanza)
    pgbr stanza-create
    ;;
  backup)
    type=${2:-full}
    case "$type" in
      full|diff|incr) ;;
      *) log "backup type must be full, diff or incr, not '$type'"; exit 2 ;;
    esac
    pgbr --type="$type" backup
    ;;
  restore)
    pgdata=${2:?PGDATA}
    source=${3:?the repository path to restore from}
    target=${4:-latest}
    if [ -d "$pgdata" ] && [ -n "$(ls -A "$pgdata")" ]; then
      log "refusing to restore into $pgdata: it is not empty"
      exit 1
    fi
    args=(--pg1-path="$pgdata" --repo1-path="$source")
    case "$target" in
      latest) args+=(--type=default) ;;
      lsn:*) args+=(--type=lsn --target="${target#lsn:}" --target-action=promote) ;;
      *) args+=(--type=time --target="$(recovery_time "$target")" --target-action=promote) ;;
    esac
    log "restoring from $source (target: $target) into $pgdata"
    pgbr "${args[@]}" restore
    ;;
  *)
    echo "usage: backup.sh stanza | backup [full|diff|incr] | restore PGDATA SOURCE_PATH [latest|TIME|lsn:X/Y]" >&2
    exit 2
    ;;
esac
