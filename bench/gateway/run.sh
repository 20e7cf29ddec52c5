#!/usr/bin/env bash
# npm run bench:gateway [-- options]: the gateway benchmark in one command (see README.md).
# Installs bench/gateway's own dependencies (its own package-lock.json, not the root's) when they
# are missing or older than the lockfile, and the repository's when missing, then runs it.
set -euo pipefail
DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd -- "$DIR/../.." && pwd -P)"

# The shared npm lock of this machine, when there is one (util-linux flock).
locked() { if command -v flock >/dev/null 2>&1; then flock /tmp/plaza-npm.lock "$@"; else "$@"; fi; }

if [ ! -f "$ROOT/node_modules/.package-lock.json" ]; then
  echo "bench:gateway: installing the repository's dependencies (Plaza's gateway and subgraphs run from them)"
  bash "$ROOT/scripts/ensure-deps.sh"
fi
cd "$DIR"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "bench:gateway: installing bench/gateway's dependencies"
  # Hive Gateway's @whatwg-node/disposablestack declares Node >= 22.15 but runs on Node 20; the
  # root .npmrc's engine-strict (passed down by `npm run` as npm_config_engine_strict) would refuse it.
  locked npm install --no-audit --no-fund --engine-strict=false
fi
# The gateways run as built JavaScript, as deployed: Plaza's (gateway/dist/main.mjs, its build
# script) and stock Apollo's (dist/apollo-gateway.mjs); no TypeScript loader in their processes.
node "$ROOT/gateway/scripts/build.mjs"
node_modules/.bin/esbuild src/apollo-gateway.ts --bundle --platform=node --format=esm --target=node20 \
  --packages=external --outfile=dist/apollo-gateway.mjs --log-level=warning
exec node --import tsx src/run.ts "$@"
