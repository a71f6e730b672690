#!/bin/bash
# LearningDB major upgrade: rendered by the operator into ConfigMap <name>-scripts and run by the Job <name>-upgrade
# on the primary's volume while every instance is stopped. The same file runs in the tests (MajorUpgradeTest).
#
# pg_upgrade --link: the new cluster's relation files are hard links to the old ones, so the upgrade takes minutes,
# not hours, and needs no second copy of the data. The steps, each safe to run again after a crash or a kill:
#   1. refuse: a server running on this directory, a replica's directory, binaries of the wrong majors
#   2. an old cluster that crashed is started privately and shut down cleanly (pg_upgrade needs a clean shutdown)
#   3. initdb the new cluster in $PGDATA.upgrade-new (same encoding, locale and checksums as the old one)
#   4. pg_upgrade --check: on failure the old cluster is untouched (exit 3) and starts again as it was
#   5. pg_upgrade --link, then the marker learningdb-upgrade-complete in the new directory
#   6. swap: $PGDATA -> $PGDATA.upgrade-old, $PGDATA.upgrade-new -> $PGDATA
# The old directory is kept until the new server has started once (instance.sh removes it then): until that start,
# the old cluster can still be brought back by hand (rename global/pg_control.old to global/pg_control).
# A run killed during step 5 before the marker is written is redone from step 3: pg_upgrade in link mode never
# writes to the old cluster's files, only renames its pg_control, which is renamed back.
set -euo pipefail

: "${PGDATA:?PGDATA must be set}"
: "${OLD_BINDIR:?OLD_BINDIR must be set (the old major version binaries)}"
: "${NEW_BINDIR:?NEW_BINDIR must be set (the new major version binaries)}"
SECRETS_DIR=${SECRETS_DIR:-/etc/learningdb/secrets}
RUN_DIR=${RUN_DIR:-/tmp/learningdb}
# Tests only (one major version installed): allow old and new binaries of the same major.
UPGRADE_SAME_MAJOR=${UPGRADE_SAME_MAJOR:-0}
# Tests only: exit 99 right after the named step (initdb | upgraded | swapped-half), as a kill there would.
UPGRADE_STOP_AT=${UPGRADE_STOP_AT:-}
TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}
NEW="$PGDATA.upgrade-new"
OLD="$PGDATA.upgrade-old"
WORK="$RUN_DIR/upgrade"

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) learningdb-upgrade: $*" >&2; }
# The Job's termination message (what the operator shows in the condition): the last thing said before exiting.
finish() {
  local rc=$1; shift
  log "$*"
  if [ -w "$(dirname "$TERMINATION_LOG")" ] || [ -w "$TERMINATION_LOG" ]; then
    printf '%s' "$*" | head -c 1000 > "$TERMINATION_LOG" 2>/dev/null || true
  fi
  exit "$rc"
}
stop_at() { if [ "$UPGRADE_STOP_AT" = "$1" ]; then finish 99 "stopped after step $1 (UPGRADE_STOP_AT)"; fi; }
major_of_bindir() { "$1/postgres" -V | sed -n 's/^postgres (PostgreSQL) \([0-9]*\).*/\1/p'; }
control() { "$OLD_BINDIR/pg_controldata" -D "$1" 2>/dev/null | sed -n "s/^$2: *//p"; }

OLD_MAJOR=$(major_of_bindir "$OLD_BINDIR")
NEW_MAJOR=$(major_of_bindir "$NEW_BINDIR")
[ -n "$OLD_MAJOR" ] && [ -n "$NEW_MAJOR" ] || finish 2 "cannot tell the major versions of $OLD_BINDIR and $NEW_BINDIR"
if [ "$UPGRADE_SAME_MAJOR" != 1 ] && [ "$NEW_MAJOR" -le "$OLD_MAJOR" ]; then
  finish 2 "refusing: new binaries are PostgreSQL $NEW_MAJOR, old ones $OLD_MAJOR (an upgrade goes to a later major)"
fi

# --- a half-done swap (killed between the two renames) is completed first ---
if [ ! -e "$PGDATA" ] && [ -d "$OLD" ] && [ -f "$NEW/learningdb-upgrade-complete" ]; then
  mv "$NEW" "$PGDATA"
  mv "$PGDATA/learningdb-upgrade-complete" "$PGDATA/learningdb-upgraded"
  touch "$PGDATA/learningdb-stanza-upgrade"
  log "completed the swap a previous run started"
fi
# --- already done: the data directory is the new major's (the Job ran to the end before and is run again) ---
if [ -s "$PGDATA/PG_VERSION" ] && [ "$(cat "$PGDATA/PG_VERSION")" = "$NEW_MAJOR" ] && [ ! -d "$NEW" ] \
    && { [ "$UPGRADE_SAME_MAJOR" != 1 ] || [ -f "$PGDATA/learningdb-upgraded" ]; }; then
  finish 0 "already upgraded: $PGDATA is PostgreSQL $NEW_MAJOR"
fi
[ -s "$PGDATA/PG_VERSION" ] || finish 2 "refusing: $PGDATA holds no PostgreSQL data directory"
DATA_MAJOR=$(cat "$PGDATA/PG_VERSION")
[ "$DATA_MAJOR" = "$OLD_MAJOR" ] || finish 2 "refusing: $PGDATA is PostgreSQL $DATA_MAJOR, the old binaries are $OLD_MAJOR"
[ ! -f "$PGDATA/standby.signal" ] || finish 2 "refusing: $PGDATA is a replica's (standby.signal); the upgrade runs on the primary's"
# a live postmaster on this directory (pg_ctl status alone would take any process that has the recorded PID)
pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qs '^postgres' "/proc/$pid/comm"; then
  finish 2 "refusing: a server is running on $PGDATA (every instance must be stopped first)"
fi

# --- a previous run killed while linking: pg_control.old back, the new cluster is built again ---
if [ -f "$PGDATA/global/pg_control.old" ] && [ ! -f "$PGDATA/global/pg_control" ]; then
  mv "$PGDATA/global/pg_control.old" "$PGDATA/global/pg_control"
  log "a previous run stopped while linking: restored the old cluster's pg_control, starting over"
fi
if [ -d "$NEW" ] && [ ! -f "$NEW/learningdb-upgrade-complete" ]; then
  rm -rf "$NEW"
  log "removed the unfinished new cluster of a previous run"
fi

mkdir -p "$WORK"; chmod 700 "$WORK"
cd "$WORK"

if [ ! -f "$NEW/learningdb-upgrade-complete" ]; then
  # --- 2. clean shutdown: pg_upgrade refuses a cluster that was not shut down cleanly ---
  state=$(control "$PGDATA" "Database cluster state")
  if [ "$state" != "shut down" ]; then
    log "old cluster state is '$state': starting it privately once so that it recovers and shuts down cleanly"
    rm -f "$PGDATA/postmaster.pid"
    "$OLD_BINDIR/pg_ctl" -D "$PGDATA" -w -t 3600 -l "$WORK/recover.log" \
        -o "-c listen_addresses='' -c unix_socket_directories=$WORK -c archive_mode=off" start >&2 \
      || { tail -n 20 "$WORK/recover.log" >&2; finish 4 "the old cluster did not start to recover (see the log above); nothing was changed"; }
    "$OLD_BINDIR/pg_ctl" -D "$PGDATA" -w -t 3600 -m fast stop >&2
  fi

  # --- 3. the new cluster, initialised like the old one ---
  checksums=()
  [ "$(control "$PGDATA" "Data page checksum version")" = 0 ] || checksums=(--data-checksums)
  "$NEW_BINDIR/initdb" -D "$NEW" -U postgres -E UTF8 --locale=C.UTF-8 "${checksums[@]}" \
      --auth-local=peer --auth-host=scram-sha-256 --pwfile="$SECRETS_DIR/superuser/password" > "$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; finish 4 "initdb of the new cluster failed (see the log above); the old cluster is untouched"; }
  stop_at initdb

  # --- 4. check: nothing is changed when it fails ---
  # both servers private (pg_upgrade's own socket directory, no TCP); archiving off: the WAL pg_upgrade writes in
  # the old cluster while it reads it is not a backup's business, and its archive_command may not run here
  opts=(-b "$OLD_BINDIR" -B "$NEW_BINDIR" -d "$PGDATA" -D "$NEW" -U postgres --socketdir="$WORK"
        -o "-c archive_mode=off" -O "-c archive_mode=off")
  if ! "$NEW_BINDIR/pg_upgrade" "${opts[@]}" --check > "$WORK/check.log" 2>&1; then
    cat "$WORK/check.log" >&2
    rm -rf "$NEW"
    reason=$(grep -v '^\s*$' "$WORK/check.log" | grep -iv '^Performing\|^Checking\|ok$' | head -n 5 | tr '\n' ' ')
    finish 3 "pg_upgrade --check failed, the old cluster is untouched and can start again: ${reason:-see the log above}"
  fi
  log "pg_upgrade --check passed"

  # --- 5. the upgrade itself ---
  if ! "$NEW_BINDIR/pg_upgrade" "${opts[@]}" --link > "$WORK/upgrade.log" 2>&1; then
    cat "$WORK/upgrade.log" >&2
    find "$NEW" -path '*pg_upgrade_output.d*' -name '*.log' -exec tail -n 20 {} + >&2 2>/dev/null || true
    # the old cluster's files are not written in link mode: give it its pg_control back, drop the new cluster
    if [ -f "$PGDATA/global/pg_control.old" ] && [ ! -f "$PGDATA/global/pg_control" ]; then
      mv "$PGDATA/global/pg_control.old" "$PGDATA/global/pg_control"
    fi
    rm -rf "$NEW"
    finish 5 "pg_upgrade failed (see the Job's log); the old cluster was restored and can start again"
  fi
  cat "$WORK/upgrade.log" >&2
  echo "$OLD_MAJOR $NEW_MAJOR $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$NEW/learningdb-upgrade-complete"
  stop_at upgraded
fi

# --- 6. swap ---
rm -rf "$OLD"
mv "$PGDATA" "$OLD"
stop_at swapped-half
mv "$NEW" "$PGDATA"
# instance.sh's first start on it analyzes in stages (statistics are not carried over) and removes $OLD
mv "$PGDATA/learningdb-upgrade-complete" "$PGDATA/learningdb-upgraded"
# and the backup repository's stanza is upgraded by the primary (only after an upgrade, never on a mere mismatch)
touch "$PGDATA/learningdb-stanza-upgrade"
chmod 700 "$PGDATA"
finish 0 "upgraded $PGDATA from PostgreSQL $OLD_MAJOR to $NEW_MAJOR (system identifier $("$NEW_BINDIR/pg_controldata" -D "$PGDATA" | sed -n 's/^Database system identifier: *//p'))"
