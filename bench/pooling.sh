#!/usr/bin/env bash
# pgbench through the operator-configured PgBouncer vs direct, at 100 / 1,000 / 5,000 clients.
# Needs what .ci/run installs (postgresql, pgbouncer) and root (servers run as the postgres user).
# Writes bench/results/pooling.md. BENCH_SECONDS (default 15) sets the length of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 20000 || true
./mvnw -B -q test -Dtest=PoolingBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.seconds="${BENCH_SECONDS:-15}" -Dquarkus.log.level=WARN
cat bench/results/pooling.md
