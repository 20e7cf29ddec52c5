#!/usr/bin/env bash
# Plaza: bring up / check everything the backend needs, in order:
#   1. Postgres  (infra/postgres.sh: reachable, database + extensions exist)
#   2. Redis     (infra/redis.sh: answers PING)
#   3. Kafka     (infra/kafka.sh start: a local single-node KRaft broker)
# Idempotent: safe to run again; stops at the first failure with exit 1.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/plaza}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"

db="${DATABASE_URL%%\?*}"
db="${db##*/}"

bash "$SCRIPT_DIR/postgres.sh" || { echo "infra: FAILED at postgres (see the line above)" >&2; exit 1; }
bash "$SCRIPT_DIR/redis.sh" || { echo "infra: FAILED at redis (see the line above)" >&2; exit 1; }
bash "$SCRIPT_DIR/kafka.sh" start || { echo "infra: FAILED at kafka (see the lines above)" >&2; exit 1; }

echo "infra: postgres ok (db ${db:-plaza}), redis ok, kafka ok ($KAFKA_BROKERS)"
