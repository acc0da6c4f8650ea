#!/bin/bash
# All benchmarks, one after the other; figures on stdout.
cd "$(dirname "$0")"
for b in pod-start batch-start many-pods pod-memory idle-agent net-throughput pull stuck-pod watch-latency configmap-update; do
    echo "== $b"
    bash "./$b.sh"
done
