#!/bin/bash
# orc check on this machine: every line agrees with what the machine has, nothing required
# is missing where the suite runs, and a broken prerequisite is named with its remedy.
source "$(dirname "$0")/lib.sh"
setup
out=$("$ORC" check) || fail "orc check found something required missing: $out"
assert_contains "$out" "ok       user namespaces" "user namespaces"
assert_contains "$out" "ok       OCI runtime" "runtime"
assert_contains "$out" "ok       /dev/net/tun" "tun"
assert_contains "$out" "orc can run pods here" "verdict"
if [ -d /run/systemd/system ]; then
    assert_not_contains "$out" "systemd is not the init system" "systemd is running here"
else
    assert_contains "$out" "warning  systemd: systemd is not the init system" "no systemd here"
fi
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
    assert_contains "$out" "ok       cgroup v2" "cgroup v2 here"
else
    assert_contains "$out" "warning  cgroup v2: the unified hierarchy is not mounted" "hybrid here"
    assert_contains "$out" "warning  delegated controllers: none for $(id -un)" "no delegation here"
fi
if grep -qE "^($(id -un)|$(id -u)):" /etc/subuid; then
    assert_contains "$out" "ok       subordinate ids" "subordinate range"
fi

mkdir -p "$TEST_DIR/open" && chmod 0755 "$TEST_DIR/open"
rc=0
bad=$(XDG_RUNTIME_DIR=$TEST_DIR/open "$ORC" check) || rc=$?
assert_eq "$rc" 1 "a required prerequisite missing makes the exit status 1"
assert_contains "$bad" "missing  XDG_RUNTIME_DIR: $TEST_DIR/open is not a 0700 directory" "named"
assert_contains "$bad" "-> chmod 0700 $TEST_DIR/open" "with its remedy"
assert_contains "$("$ORC" check --help)" "EXIT STATUS" "help"
echo "PASS: $TEST_NAME"
