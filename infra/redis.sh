#!/usr/bin/env bash
# Plaza: check that Redis at REDIS_URL (default redis://127.0.0.1:6379) answers PING.
#
#   bash infra/redis.sh
#
# Redis is run by the machine (or docker compose); this script never starts it.
# Uses a tiny Node script speaking RESP over a socket (no extra dependency).
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

command -v node >/dev/null 2>&1 || {
  echo "redis: ERROR: node not found on PATH: install Node.js 20 (used for the PING check)" >&2
  exit 1
}

echo "redis: checking $REDIS_URL ..." | sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#'
node "$SCRIPT_DIR/redis/ping.mjs"
