#!/usr/bin/env bash
# Plaza: stop what infra/up.sh started: the local Kafka broker.
# Postgres and Redis are run by the machine (or docker compose) and are left alone.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
bash "$SCRIPT_DIR/kafka.sh" stop
echo "infra: down (kafka stopped; postgres and redis left running, they belong to the machine)"
