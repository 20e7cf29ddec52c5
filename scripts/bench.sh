#!/usr/bin/env bash
# npm run bench: every benchmark, one after another (not tests: they print and write figures).
#   bench:gateway  Plaza's gateway vs Hive Gateway, stock Apollo and the limit (bench/results/gateway.*)
#   bench:social   views into durable counts, like-to-visible latency, feed pages (bench/social/results.*)
#   bench:search   indexing throughput and query latency at 100,000 posts, relevance (subgraphs/search)
#   bench:chat     subscription delivery latency at 1,000 subscribers, one and two gateways (bench/chat/results.*)
# `npm run bench -- social chat` runs only those. Each needs the infrastructure: started here if needed.
# Benchmarks take turns under one lock (/tmp/plaza-bench.lock), so two never load the machine at once.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit 1
bash infra/up.sh || exit 1
npx tsx scripts/migrate.ts || exit 1
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(gateway social search chat)
status=0
for name in "${names[@]}"; do
  echo "bench: $name ($(uptime | sed 's/.*load average/load average/'))"
  flock /tmp/plaza-bench.lock npm run --silent "bench:$name" || { echo "bench: $name failed"; status=1; }
done
exit $status
