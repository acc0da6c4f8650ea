#!/bin/bash
# Only one orcd per user: a second one is refused clearly; the first keeps serving.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
expect_exit 1 timeout 20 "$ORCD"
assert_contains "$out" "orcd is already running for this user (pid $ORCD_PID" "refusal names the agent"
"$ORC" version >/dev/null || fail "the first agent stopped serving"
kill -0 "$ORCD_PID" || fail "the first agent died"
echo "PASS: $TEST_NAME"
