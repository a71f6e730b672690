#!/usr/bin/env bash
# Operator scale benchmark: 1, 100 and 1,000 LearningDatabases against the CRUD mock API server.
# Results: bench/results/operator-scale.md. Override sizes with BENCH_SIZES=1,10 and the idle window with BENCH_IDLE=30.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest=OperatorScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.sizes="${BENCH_SIZES:-1,100,1000}" -Dbench.idle-seconds="${BENCH_IDLE:-60}" \
  -Dquarkus.log.category.\"io.learningdb\".level=INFO 2>&1 | grep -E "^SCALE|ERROR|FAIL" || true
cat bench/results/operator-scale.md
