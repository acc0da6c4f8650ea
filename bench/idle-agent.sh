#!/bin/bash
# Idle agent cost with pods running: RSS and CPU time over a quiet interval.
source "$(dirname "$0")/lib.sh"
SECS=${SECS:-30}
for i in 1 2 3; do pod_yaml "i$i" >"$BENCH_DIR/i$i.yaml"; "$ORC" apply -f "$BENCH_DIR/i$i.yaml" >/dev/null; done
for i in 1 2 3; do
    until [ "$("$ORC" get pod "i$i" -o json | jq -r .status.phase)" = Running ]; do sleep 0.05; done
done
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$ORCD_PID/stat"; }
t0=$(ticks)
sleep "$SECS"
t1=$(ticks)
hz=$(getconf CLK_TCK)
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$ORCD_PID/status")
echo "idle orcd with 3 pods over $SECS s: CPU $(((t1 - t0) * 1000 / hz)) ms, RSS $rss kB"
