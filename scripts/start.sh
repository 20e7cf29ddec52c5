#!/usr/bin/env bash
# npm start: the whole system from a fresh clone. Installs dependencies if needed, starts the
# infrastructure (Postgres/Redis checks, a local Kafka broker), migrates, then runs every
# subgraph and the gateway, seeds demo data and prints the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash infra/up.sh
npx tsx scripts/migrate.ts
exec node --import tsx scripts/run.ts
