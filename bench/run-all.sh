#!/bin/bash
# All benchmarks, one after the other; figures on stdout.
cd "$(dirname "$0")"
for b in pod-start pod-memory idle-agent net-throughput pull stuck-pod; do
    echo "== $b"
    bash "./$b.sh"
done
