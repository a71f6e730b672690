#!/bin/bash
# Backups and point-in-time recovery of one LearningDatabase with pgBackRest, against the repository described by
# the rendered pgbackrest.conf ($PGBACKREST_CONFIG). The object store's keys come from the environment
# (PGBACKREST_REPO1_S3_KEY, PGBACKREST_REPO1_S3_KEY_SECRET), never from the file.
#
#   backup.sh stanza                               create the repository's stanza (idempotent)
#   backup.sh stanza-upgrade                       after a major upgrade: the stanza takes the new version and system id
#   backup.sh backup [full|diff|incr]              take a base backup of the running primary, then apply retention,
#                                                  and report the newest backup and the recoverability window as
#                                                  key=value lines on stdout and in $TERMINATION_LOG (the Job's
#                                                  termination message, which the operator reads into status)
#   backup.sh report                               only the report
#   backup.sh server                               run pgBackRest's TLS server (the instance pod's sidecar)
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

# The repository as the operator shows it: pgBackRest's JSON lists backups oldest first, every key once per backup.
report() {
  local json labels stamps types infos n
  json=$(pgbr info --output=json)
  mapfile -t labels < <(grep -o '"label":"[^"]*"' <<<"$json" | cut -d'"' -f4)
  mapfile -t stamps < <(grep -o '"timestamp":{"start":[0-9]*,"stop":[0-9]*}' <<<"$json" | sed 's/[^0-9,]//g')
  mapfile -t types < <(grep -o '"type":"[a-z]*"' <<<"$json" | cut -d'"' -f4)
  mapfile -t infos < <(grep -o '"info":{"delta":[0-9]*,"repository":{"delta":[0-9]*,"size":[0-9]*},"size":[0-9]*}' <<<"$json" \
                         | sed 's/[^0-9,]//g')
  n=${#labels[@]}
  {
    echo "backups=$n"
    if [ "$n" -gt 0 ] && [ "${#stamps[@]}" -eq "$n" ] && [ "${#infos[@]}" -eq "$n" ]; then
      local last=$((n - 1)) first_stamp last_stamp info
      IFS=, read -r first_stamp _ <<<"${stamps[0]}"
      IFS=, read -r start stop <<<"${stamps[$last]}"
      IFS=, read -r _ repo_delta _ size <<<"${infos[$last]}"
      echo "firstRecoverable=$first_stamp"
      echo "backup=${labels[$last]}"
      echo "type=${types[$last]:-}"
      echo "started=$start"
      echo "completed=$stop"
      echo "size=$size"
      echo "repositoryBytes=$repo_delta"
    fi
  } > "$RUN_DIR/report"
  cat "$RUN_DIR/report"
  if [ -n "${TERMINATION_LOG:-}" ]; then
    cp "$RUN_DIR/report" "$TERMINATION_LOG" 2>/dev/null || log "cannot write $TERMINATION_LOG"
  fi
}

RUN_DIR=${RUN_DIR:-/tmp}

# pgBackRest's TLS certificates and keys come from a Secret volume (group-readable): the configuration names private
# copies in $RUN_DIR/backup-tls, made here on every start.
install_backup_tls() {
  [ -n "${BACKUP_TLS_SOURCE:-}" ] || return 0
  mkdir -p "$RUN_DIR/backup-tls"
  chmod 700 "$RUN_DIR" "$RUN_DIR/backup-tls" 2>/dev/null || true
  local f dest
  for f in "$BACKUP_TLS_SOURCE"/*; do
    # replaced, not overwritten: a restarted container finds its earlier (read-only) copies in the same emptyDir
    dest="$RUN_DIR/backup-tls/$(basename "$f")"
    rm -f "$dest"
    (umask 077; cp "$f" "$dest")
    chmod 600 "$dest"
  done
}

case "${1:-}" in
  stanza)
    pgbr stanza-create
    ;;
  stanza-upgrade)
    # after a major upgrade only (instance.sh, marker learningdb-stanza-upgrade): the repository takes the new
    # version and system identifier; backups of the old major stay restorable into a cluster of that major
    pgbr stanza-upgrade
    ;;
  server)
    install_backup_tls
    exec pgbackrest --config="$PGBACKREST_CONFIG" server
    ;;
  backup)
    install_backup_tls
    type=${2:-full}
    case "$type" in
      full|diff|incr) ;;
      *) log "backup type must be full, diff or incr, not '$type'"; exit 2 ;;
    esac
    # idempotent; creates the stanza when the primary could not yet (the store was unreachable when it started)
    pgbr stanza-create
    pgbr --type="$type" backup
    report
    ;;
  report)
    report
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
    echo "usage: backup.sh stanza | stanza-upgrade | server | backup [full|diff|incr] | report | restore PGDATA SOURCE_PATH [latest|TIME|lsn:X/Y]" >&2
    exit 2
    ;;
esac
