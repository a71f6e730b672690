#!/usr/bin/env bash
# Repeated failover benchmark on the real loopback topology, detection included, default settings: the primary
# killed (async, sync), drained (pod deleted + SIGTERM), and cut off from the operator only. p50/p95/max time from
# the loss to writes acknowledged on the new primary, the longest gap a client saw, acknowledged rows lost.
# ROUNDS (default 5) per mode. Results: bench/results/failover.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest='FailoverBenchmark#repeatedFailover' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.rounds="${ROUNDS:-5}" -Dquarkus.log.category.\"io.learningdb\".level=INFO 2>&1 | grep -E "^FAILOVER-BENCH|ERROR|FAIL" || true
cat bench/results/failover.md
