# Shared helpers for orc's end-to-end tests; sourced by every test-*.sh.
# Each test runs as an unprivileged user with its own XDG directories, its own orcd and
# user namespace, and removes everything it made. Binaries: $ORCD $ORC $ORC_SHIM.
set -euo pipefail

: "${ORCD:?set ORCD to the orcd binary}" "${ORC:?set ORC}" "${ORC_SHIM:?set ORC_SHIM}"
: "${ORC_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${OCI_RUNTIME:=runc}"
TEST_NAME=$(basename "$0" .sh)

skip() {
    if [ "${ORC_TEST_STRICT:-0}" = 1 ]; then
        echo "FAIL: $TEST_NAME: prerequisite missing (strict mode): $*" >&2
        exit 1
    fi
    echo "SKIP: $TEST_NAME: $*" >&2
    exit 77
}

fail() {
    echo "FAIL: $TEST_NAME: $*" >&2
    if [ -n "${TEST_DIR:-}" ] && [ -f "$TEST_DIR/orcd.log" ]; then
        echo "--- orcd.log (last 40 lines)" >&2
        tail -n 40 "$TEST_DIR/orcd.log" >&2
        for f in "$XDG_RUNTIME_DIR"/orc/pods/*/shim.log; do
            [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
        done
    fi
    exit 1
}

assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', expected '$2'"; }
assert_contains() {
    [ -n "$2" ] || fail "${3:-assert_contains}: empty expected text (a check that cannot fail)"
    case "$1" in *"$2"*) ;; *) fail "${3:-missing text}: '$2' not in: $1" ;; esac
}
assert_not_contains() {
    case "$1" in *"$2"*) fail "${3:-unexpected text}: '$2' in: $1" ;; esac
}

check_prerequisites() {
    [ "$(id -u)" != 0 ] || skip "must run as an unprivileged user, not root"
    command -v newuidmap >/dev/null || skip "newuidmap missing (package uidmap)"
    command -v "$OCI_RUNTIME" >/dev/null || skip "OCI runtime '$OCI_RUNTIME' missing"
    command -v jq >/dev/null || skip "jq missing"
    unshare --user true 2>/dev/null || skip "unprivileged user namespaces are disabled"
    grep -qE "^($(id -un)|$(id -u)):" /etc/subuid || skip "no subordinate uid range for $(id -un)"
}

# Runs CMD with its stdout and stderr in $out; fails unless CMD exits with status CODE. For
# an expected refusal: "&& fail" alone would pass a crash (139) or a hang cut by timeout (124).
expect_exit() { # CODE CMD...
    local want=$1 rc=0
    shift
    out=$("$@" 2>&1) || rc=$?
    [ "$rc" = "$want" ] || fail "'$*' exited with status $rc, expected $want: $out"
}

# Deadline loop: retries CMD until it succeeds or TIMEOUT seconds pass.
wait_for() {
    local timeout=$1; shift
    local end=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.05
    done
}

# A loopback port no socket uses now, for an agent's --secure-port: the default is one per
# user, and tests of one user run side by side.
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 12000))
        grep -qi "^ *[0-9]*: [0-9A-F]*:$(printf %04X "$p") " /proc/net/tcp /proc/net/tcp6 2>/dev/null ||
            { echo "$p"; return; }
    done
}

start_orcd() {
    "$ORCD" --log-level debug --secure-port "$SECURE_PORT" "$@" >>"$TEST_DIR/orcd.log" 2>&1 &
    ORCD_PID=$!
    wait_for 20 "$ORC" version || fail "orcd did not come up"
}

stop_orcd() {
    [ -n "${ORCD_PID:-}" ] || return 0
    kill "$ORCD_PID" 2>/dev/null || true
    wait "$ORCD_PID" 2>/dev/null || true
    ORCD_PID=
}

kill9_orcd() {
    kill -9 "$ORCD_PID"
    wait "$ORCD_PID" 2>/dev/null || true
    ORCD_PID=
}

holder_pid() { jq -r .pid "$XDG_RUNTIME_DIR/orc/userns.json" 2>/dev/null || true; }

load_busybox_image() {
    [ -d "$TEST_DIR/busybox" ] || "$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/busybox"
    "$ORC" image load "$TEST_DIR/busybox" >/dev/null || fail "image load failed"
}

pod_json() { "$ORC" get pod "$1" -o json; }
pod_field() { pod_json "$1" | jq -r "$2"; }
pod_phase() { pod_field "$1" .status.phase; }
phase_is() { [ "$(pod_phase "$1")" = "$2" ]; }
wait_for_phase() {
    wait_for "${3:-30}" phase_is "$1" "$2" || fail "pod $1 did not reach $2 (now $(pod_phase "$1"))"
}
pod_gone() { ! "$ORC" get pod "$1" >/dev/null 2>&1; }

# The stored objects, without their resourceVersions: the agent's own status writes take new
# ones (as kubelet's do) whatever a request stored.
db_dump() {
    sqlite3 "$XDG_DATA_HOME/orc/orc.db" \
        "SELECT uid, generation, json_remove(object, '\$.metadata.resourceVersion') FROM objects ORDER BY uid"
}

# api METHOD PATH [BODY [CONTENT-TYPE]]: a request to orcd's API over its unix socket; prints
# the status code; the body is in $TEST_DIR/body (body JQ-FILTER reads it), the headers in
# $TEST_DIR/headers (warnings lists their Warning lines); a BODY of @FILE sends the file
api() {
    local args=(-sS --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" -X "$1" -D "$TEST_DIR/headers"
        -o "$TEST_DIR/body" -w '%{http_code}')
    [ $# -lt 3 ] || args+=(--data-binary "$3" -H "Content-Type: ${4:-application/json}")
    curl "${args[@]}" "http://x$2"
}
body() { jq -r "$1" "$TEST_DIR/body"; }
warnings() { grep -i '^Warning:' "$TEST_DIR/headers" | tr -d '\r' || true; }

# Applies a manifest given on stdin, after writing it to a named file.
apply_yaml() {
    local name=$1
    cat >"$TEST_DIR/$name"
    "$ORC" apply -f "$TEST_DIR/$name"
}

# The pid of a container's main process: the child of the pod's shim (its subreaper) whose
# command line matches the extended regex (as pgrep -f). Works while orcd is down.
container_pid() { # POD-UID REGEX
    local shim
    shim=$(cat "$XDG_RUNTIME_DIR/orc/pods/$1/shim.pid" 2>/dev/null) || return 1
    pgrep -P "$shim" -f "$2"
}

# Processes of this test's user namespace (shims, containers) by their run directory.
test_processes() { pgrep -f "$XDG_RUNTIME_DIR" 2>/dev/null || true; }
# Every process of this user in user namespace NS (a link text of /proc/PID/ns/user): the
# test's shims and containers, whose command lines need not name the test's directories.
processes_in_userns() {
    local p
    for p in $(pgrep -u "$(id -u)"); do
        [ "$(readlink "/proc/$p/ns/user" 2>/dev/null)" = "$1" ] && echo "$p"
    done
    return 0
}

# The real kubectl against the agent: a kubeconfig from 'orc kubeconfig' (HTTPS on the
# agent's --secure-port, the CA pinned, a client certificate); k runs kubectl with it and a
# private cache.
kubectl_setup() {
    "$ORC" kubeconfig --kubeconfig "$TEST_DIR/kubeconfig" >/dev/null || fail "orc kubeconfig failed"
    wait_for 10 k get --raw /version || fail "kubectl does not reach the agent: $(k get --raw /version)"
}
k() { HOME=$TEST_DIR KUBECONFIG=$TEST_DIR/kubeconfig kubectl "$@" 2>&1; }

# Commands a test adds for cleanup (servers it started); run first, keeping the exit status.
CLEANUP_HOOKS=()
on_cleanup() { CLEANUP_HOOKS+=("$1"); }

cleanup() {
    local rc=$?
    set +e
    local hook userns=
    # the pods' namespace, known before anything goes: a pod that cannot be deleted (its
    # data removed by a hook, the agent dead) must not outlive the test
    [ -n "$(holder_pid)" ] && userns=$(readlink "/proc/$(holder_pid)/ns/user" 2>/dev/null)
    for hook in "${CLEANUP_HOOKS[@]}"; do eval "$hook" >/dev/null 2>&1; done
    if [ -n "${ORCD_PID:-}" ]; then
        for p in $("$ORC" get pods -A -o name 2>/dev/null); do
            "$ORC" delete "${p%%/*}" "${p#*/}" --grace-period 0 >/dev/null 2>&1
        done
    fi
    stop_orcd
    local holder
    holder=$(holder_pid)
    for p in $(test_processes); do kill -9 "$p" 2>/dev/null; done
    if [ -n "$userns" ] && [ "$userns" != "$(readlink /proc/self/ns/user)" ]; then
        for p in $(processes_in_userns "$userns"); do kill -9 "$p" 2>/dev/null; done
    fi
    [ -n "$holder" ] && kill "$holder" 2>/dev/null
    rm -rf "$TEST_DIR" 2>/dev/null || echo "warning: $TEST_DIR not fully removed" >&2
    exit $rc
}

setup() {
    check_prerequisites
    TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/orc-e2e-$TEST_NAME.XXXXXX")
    export XDG_RUNTIME_DIR=$TEST_DIR/run XDG_DATA_HOME=$TEST_DIR/data XDG_CONFIG_HOME=$TEST_DIR/config
    unset ORC_SOCKET
    SECURE_PORT=$(free_port)
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
    trap cleanup EXIT
}
