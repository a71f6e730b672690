#!/usr/bin/env bash
# What one pooler pod's metrics cost the operator: connection, TLS, SCRAM login, SHOW POOLS/DATABASES, export.
# Needs what .ci/run installs (postgresql, pgbouncer) and root (servers run as the postgres user).
# Writes bench/results/pooler-metrics.md. BENCH_READS (default 2000) sets the number of reads.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest=PoolerMetricsBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.reads="${BENCH_READS:-2000}" -Dquarkus.log.level=WARN
cat bench/results/pooler-metrics.md
