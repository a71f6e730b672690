#!/usr/bin/env bash
# Repeated failover benchmark on the real loopback topology: p50/p95/max time to writes on the new primary and
# acknowledged rows lost, asynchronous vs synchronous. ROUNDS (default 5) per mode. Results: bench/results/failover.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest='FailoverBenchmark#repeatedFailover' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.rounds="${ROUNDS:-5}" -Dquarkus.log.category.\"io.learningdb\".level=INFO 2>&1 | grep -E "^FAILOVER-BENCH|ERROR|FAIL" || true
cat bench/results/failover.md
