#!/usr/bin/env bash
# Backup and recovery benchmark on the learning-platform sample schema: full base backup throughput, restore
# throughput and the time to replay WAL_MINUTES of archived WAL, with PostgreSQL, pgBackRest and an S3 server
# (s3rver, TLS) on loopback, through the operator's rendered configuration, backup.sh and instance.sh.
# ROWS (default 2000000), WAL_MINUTES (default 2). Needs pgbackrest and s3rver (see .ci/run). Results: bench/results/backup.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest=BackupBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbench.rows="${ROWS:-2000000}" \
  -Dbench.walMinutes="${WAL_MINUTES:-2}" 2>&1 | grep -E "ERROR|FAIL" || true
cat bench/results/backup.md
