#!/usr/bin/env bash
# npm test: every test, against real Postgres, Redis and Kafka (started if needed).
# 1. typecheck and lint every package; 2. all test projects (unit, schema and generated-file
# checks, gateway, end-to-end), in parallel files; 3. the fault suite alone (it stops and restarts
# the Kafka broker); 4. the gateway benchmark's typecheck (bench/gateway is its own package, with
# its own lockfile; its unit tests are a vitest project of step 2); 5. one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
# Tests get their own database (created if missing), Redis database index and Kafka topics, so
# `npm start`'s demo data stays apart (the same defaults as test-env.ts, for a bare `npx vitest run`).
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/plaza_test}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/1}"
export KAFKA_TOPIC_PREFIX="${TEST_KAFKA_TOPIC_PREFIX:-plaza-test}"
bash scripts/ensure-deps.sh || exit 1
bash infra/up.sh || exit 1
npx tsx scripts/migrate.ts || exit 1
mkdir -p .plaza/test-results
rm -f .plaza/test-results/*.json

status=0
npx turbo run typecheck lint --output-logs=errors-only || status=1
# The benchmarks outside the workspaces compile too (bench/gateway below, with its own packages).
for bench in bench/social bench/chat; do npx tsc --noEmit -p "$bench" || status=1; done
npx vitest run --reporter=default --reporter=json --outputFile.json=.plaza/test-results/main.json "$@" || status=1
if [ $# -eq 0 ]; then
  (cd e2e && npx vitest run --config vitest.faults.config.ts --reporter=default --reporter=json \
    --outputFile.json=../.plaza/test-results/faults.json) || status=1
fi
if [ $# -eq 0 ]; then
  # engine-strict off: see bench/gateway/run.sh (a dependency of Hive Gateway declares Node >= 22.15).
  (cd bench/gateway \
    && { [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] \
      || flock /tmp/plaza-npm.lock npm ci --no-audit --no-fund --loglevel=error --engine-strict=false; } \
    && npm run --silent typecheck) || status=1
fi
node scripts/test-summary.mjs .plaza/test-results || status=1
exit $status
