#!/usr/bin/env bash
# npm test: every test, against real Postgres, Redis and Kafka (started if needed).
# 1. typecheck and lint every package; 2. all test projects (unit, schema and generated-file
# checks, gateway, end-to-end), in parallel files; 3. the fault suite alone (it stops and restarts
# the Kafka broker); 4. one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
# Tests get their own database (created if missing), so `npm start`'s demo data stays readable.
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/plaza_test}"
bash scripts/ensure-deps.sh || exit 1
bash infra/up.sh || exit 1
npx tsx scripts/migrate.ts || exit 1
mkdir -p .plaza/test-results
rm -f .plaza/test-results/*.json

status=0
npx turbo run typecheck lint --output-logs=errors-only || status=1
npx vitest run --reporter=default --reporter=json --outputFile.json=.plaza/test-results/main.json "$@" || status=1
if [ $# -eq 0 ]; then
  (cd e2e && npx vitest run --config vitest.faults.config.ts --reporter=default --reporter=json \
    --outputFile.json=../.plaza/test-results/faults.json) || status=1
fi
node scripts/test-summary.mjs .plaza/test-results || status=1
exit $status
