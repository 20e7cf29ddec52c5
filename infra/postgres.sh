#!/usr/bin/env bash
# Plaza: check PostgreSQL and make sure the app database + extensions exist.
#
#   bash infra/postgres.sh
#
# DATABASE_URL (default postgres://postgres@127.0.0.1:5432/plaza). Postgres
# itself is run by the machine (or docker compose); this script never starts it.
# Uses Node + the `pg` package from the repo's node_modules (no psql needed).
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/plaza}"

command -v node >/dev/null 2>&1 || {
  echo "postgres: ERROR: node not found on PATH: install Node.js 20 (needed to talk to Postgres with the pg package)" >&2
  exit 1
}

echo "postgres: checking ${DATABASE_URL%%\?*} ..." | sed -E 's#(://[^:/@]+):[^@/]*@#\1:***@#'
node "$SCRIPT_DIR/postgres/ensure-db.mjs"
