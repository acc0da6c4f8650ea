#!/bin/bash
# One pod's hung external step never stalls the others. Three faults (tests/e2e/faults/): an
# OCI runtime whose `run` hangs, a shim that never writes its sync line, a CNI plugin whose
# ADD hangs. For each: while one pod is stuck, a second pod reaches Running and `orc get
# pods` answers and shows it; at the deadline (--runtime-request-timeout) the stuck process
# is killed and the pod gets an event naming the step; once the fault is removed the pod
# recovers. A pod deleted while its step hangs goes away at once. After each fault nothing
# is left: no process, zombie, mount, runtime state, helper or agent fd.
source "$(dirname "$0")/lib.sh"
setup
command -v curl >/dev/null || skip "curl missing"
FAULTS=$ORC_SOURCE_DIR/tests/e2e/faults
DEADLINE=15 # seconds: --runtime-request-timeout
export ORC_FAULT_DIR=$TEST_DIR/faults ORC_FAULT_RUNTIME=$OCI_RUNTIME ORC_SHIM
mkdir -p "$ORC_FAULT_DIR"
# (the help read whole first: grep -q leaving early would end orcd with SIGPIPE, and pipefail)
assert_contains "$("$ORCD" --help)" --runtime-request-timeout "orcd's options"

# the fault chain is the normal one plus the hang plugin
assert_eq "$(jq -c '.plugins[:-1]' "$FAULTS/hang.conflist")" \
    "$(jq -c .plugins "$ORC_SOURCE_DIR/manifests/cni/orc.conflist")" "hang.conflist extends the normal chain"
# orcd's default plugin directories (agent/README.md), after the one of the hang plugin
plugins=
for d in ../cni-plugins/bin ../libexec/orc/cni; do
    [ -d "$(dirname "$ORCD")/$d" ] && { plugins=$(cd "$(dirname "$ORCD")/$d" && pwd); break; }
done
[ -n "$plugins" ] || fail "orc's CNI plugins not found beside $ORCD"

start_orcd --runtime "$FAULTS/hang-runtime" --shim "$FAULTS/hang-shim" \
    --cni-conf "$FAULTS/hang.conflist" --cni-bin-dir "$FAULTS:$plugins:/usr/lib/cni:/opt/cni/bin" \
    --runtime-request-timeout "${DEADLINE}s" --backoff-base 500
load_busybox_image
SOCK=$XDG_RUNTIME_DIR/orc/orcd.sock

now_ms() { echo $(($(date +%s%N) / 1000000)); }
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
events_of() { # REASON<TAB>MESSAGE lines of pod NAME
    curl -sS --max-time 10 --unix-socket "$SOCK" \
        "http://localhost/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=$1" |
        jq -r '.items[] | "\(.reason)\t\(.message)"'
}
# every container of pod NAME running (a phase of Running alone does not tell: a pod whose
# container failed to start shows Running during its restart back-off, as kubelet's do)
ready() { pod_json "$1" | jq -e '[.status.containerStatuses[]? | .state.running != null] | length > 0 and all'; }
has_event() { local e; e=$(events_of "$1") && grep -q "^$2"$'\t' <<<"$e"; }
pod() { # name container-name
    apply_yaml "$1.yaml" >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: $2
      image: localhost/busybox:latest
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"]
YAML
}
# the pid of the first call a fault hung since the hung log was emptied
hung_pid() { awk -v k="$1" '$2 == k {print $1; exit}' "$ORC_FAULT_DIR/hung" 2>/dev/null; }
hit() { [ -n "$(hung_pid "$1")" ]; }

# What must be back to the state before the faults once every pod is gone.
holder=$(holder_pid)
userns=$(readlink "/proc/$holder/ns/user")
userns_processes() { # every process in the pods' user namespace but the holder
    local p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" != "$holder" ] && [ "$(readlink "/proc/$p/ns/user" 2>/dev/null)" = "$userns" ] && echo "$p"
    done
    true
}
test_dir_processes() { pgrep -f "$TEST_DIR" | grep -vx "$ORCD_PID" || true; }
no_test_processes() { [ -z "$(test_dir_processes)" ]; }
no_userns_processes() { [ -z "$(userns_processes)" ]; }
fds() { ls "/proc/$ORCD_PID/fd" | wc -l; }
fds_back() { [ "$(fds)" = "$FDS" ]; }
children() { ps -o pid=,stat=,args= --ppid "$ORCD_PID" || true; }
children_back() { [ "$(children)" = "$CHILDREN" ]; }
gone() { ! alive "$1"; }
check_nothing_left() { # after WHAT
    local what=$1 p
    wait_for 10 fds_back ||
        fail "after $what: orcd has $(fds) fds open, $FDS before the faults: $(ls -l "/proc/$ORCD_PID/fd")"
    wait_for 5 children_back || fail "after $what: orcd's children (zombies?) differ from before: $(children)"
    wait_for 10 no_userns_processes || true # the check below names them
    p=$(userns_processes)
    [ -z "$p" ] || fail "after $what: processes left in the pods' user namespace: $(ps -o pid,args -p "${p//$'\n'/,}")"
    wait_for 5 no_test_processes || true
    p=$(test_dir_processes)
    [ -z "$p" ] || fail "after $what: processes of the test's directories left: $(ps -o pid,args -p "${p//$'\n'/,}")"
    alive "$holder" || fail "after $what: the namespace holder is gone"
    p=$(grep -l "$TEST_DIR" /proc/[0-9]*/mountinfo 2>/dev/null || true)
    [ -z "$p" ] || fail "after $what: mounts of the test directory left in: $p"
    p=$("$OCI_RUNTIME" --root "$XDG_RUNTIME_DIR/orc/runc" list -q 2>&1) ||
        fail "after $what: runc list failed: $p"
    [ -z "$p" ] || fail "after $what: runtime state left: $p"
    p=$(find "$XDG_RUNTIME_DIR/orc/pods" "$XDG_RUNTIME_DIR/orc-cni" -mindepth 1 \( -path "*/pods/*" -o -name "*.json" \) 2>/dev/null || true)
    [ -z "$p" ] || fail "after $what: pod run directories or CNI helper state left: $p"
}

echo "# warm-up: a normal pod starts and goes, so that lazily opened fds are counted"
t0=$(now_ms)
pod warm c
wait_for_phase warm Running 30
usual=$(($(now_ms) - t0))
"$ORC" delete pod warm >/dev/null || fail "delete warm"
echo "  a pod reaches Running in $usual ms without faults"
FDS=$(fds)
CHILDREN=$(children)

# One fault: KIND (runtime, shim or cni) hangs pod stuck-KIND (its container "stuck" for the
# runtime); pod normal-KIND runs beside it. REASON and the texts its message must contain.
run_fault() {
    local kind=$1 reason=$2 stuck=stuck-$1 normal=normal-$1 marker t_hit pid t elapsed out text
    shift 2
    echo "# fault: hung $kind"
    : >"$ORC_FAULT_DIR/hung"
    case $kind in
        runtime) marker=stuck ;;
        *) marker=$stuck ;;
    esac
    echo "$marker" >"$ORC_FAULT_DIR/hang-$kind"
    pod "$stuck" stuck
    wait_for 20 hit "$kind" || fail "the $kind fault was never hit: $(pod_json "$stuck" | jq -c .status)"
    t_hit=$(now_ms)
    pid=$(hung_pid "$kind")

    pod "$normal" c
    wait_for $((DEADLINE - 3)) ready "$normal" ||
        fail "$normal did not reach Running within $((DEADLINE - 3)) s while $stuck hung in $kind (now $(pod_phase "$normal"))"
    echo "  $normal Running $(($(now_ms) - t_hit)) ms after $stuck got stuck (usual: $usual ms)"
    alive "$pid" || fail "the hung $kind call ended before the deadline: the fault did not hold"
    ! ready "$stuck" >/dev/null || fail "$stuck runs although its $kind step hangs"
    if [ "$kind" = cni ]; then
        assert_eq "$(pod_field "$normal" .status.podIP)" "10.0.2.100" "the hang plugin passes the result on"
    fi

    for _ in 1 2 3 4 5; do
        t=$(now_ms)
        out=$("$ORC" get pods) || fail "orc get pods failed while $stuck hung"
        elapsed=$(($(now_ms) - t))
        [ "$elapsed" -le 2000 ] || fail "orc get pods took $elapsed ms while $stuck hung in $kind"
        grep -qE "^$normal +1/1 +Running " <<<"$out" || fail "orc get pods does not show $normal Running: $out"
        if grep -qE "^$stuck +1/1 " <<<"$out"; then fail "orc get pods shows $stuck ready: $out"; fi
    done
    alive "$pid" || fail "the hung $kind call ended before the deadline"
    elapsed=$(($(now_ms) - t_hit))
    [ "$elapsed" -lt $((DEADLINE * 1000 - 500)) ] ||
        fail "the checks while $stuck hung ran past the deadline ($elapsed ms): they proved nothing"

    wait_for $((DEADLINE + 5)) has_event "$stuck" "$reason" ||
        fail "no $reason event for $stuck within $((DEADLINE + 5)) s of the hang (deadline ${DEADLINE}s): $(events_of "$stuck")"
    elapsed=$(($(now_ms) - t_hit))
    [ "$elapsed" -ge $((DEADLINE * 1000 - 1000)) ] ||
        fail "$reason came $elapsed ms after the hang, before the ${DEADLINE}s deadline"
    echo "  $reason $elapsed ms after the hang (deadline ${DEADLINE}s)"
    text=$(events_of "$stuck" | grep "^$reason"$'\t' | head -1)
    for t in "within ${DEADLINE}s" "$@"; do
        assert_contains "$text" "$t" "the event names the step and the deadline"
    done
    wait_for 5 gone "$pid" ||
        fail "the hung $kind process $pid was not killed at the deadline: $(ps -o pid,args -p "$pid")"
    if [ "$kind" = runtime ]; then
        start_error() {
            pod_json "$stuck" | jq -e '.status.containerStatuses[0] |
                [.state.terminated.reason, .lastState.terminated.reason] | index("StartError")'
        }
        wait_for 10 start_error || fail "the container does not show StartError: $(pod_json "$stuck" | jq -c .status.containerStatuses)"
    fi
    ready "$normal" >/dev/null || fail "$normal stopped running: $(pod_json "$normal" | jq -c .status)"

    rm "$ORC_FAULT_DIR/hang-$kind"
    # a retry that began before the removal may hang once more, up to a deadline
    wait_for $((2 * DEADLINE + 15)) ready "$stuck" ||
        fail "$stuck did not recover once the $kind fault was removed: $(pod_json "$stuck" | jq -c .status) $(events_of "$stuck")"
    echo "  $stuck Running $(($(now_ms) - t_hit)) ms after the hang, the fault removed"
    "$ORC" delete pod "$stuck" "$normal" >/dev/null || fail "delete $stuck $normal"
    check_nothing_left "the $kind fault"

    echo "# deleted while hung in $kind: gone at once"
    : >"$ORC_FAULT_DIR/hung"
    echo "$marker" >"$ORC_FAULT_DIR/hang-$kind"
    pod "$stuck" stuck
    wait_for 20 hit "$kind" || fail "the $kind fault was never hit the second time"
    t_hit=$(now_ms)
    pid=$(hung_pid "$kind")
    t=$(now_ms)
    "$ORC" delete pod "$stuck" >/dev/null || fail "delete $stuck while hung"
    elapsed=$(($(now_ms) - t))
    pod_gone "$stuck" || fail "$stuck still listed after its delete returned"
    [ "$elapsed" -le $((DEADLINE * 1000 / 2)) ] ||
        fail "deleting $stuck while its $kind step hung took $elapsed ms (deadline ${DEADLINE}s)"
    echo "  deleted in $elapsed ms"
    wait_for 2 gone "$pid" || fail "the hung $kind process $pid outlived its pod's delete"
    rm "$ORC_FAULT_DIR/hang-$kind"
    check_nothing_left "deleting a pod hung in $kind"
}

# ORC_TEST_FAULTS picks some (for debugging); all three by default
for f in ${ORC_TEST_FAULTS:-runtime shim cni}; do
    case $f in
        runtime) run_fault runtime Failed ;;
        shim) run_fault shim FailedCreatePodSandBox "shim start-up" ;;
        cni) run_fault cni FailedCreatePodSandBox "hang ADD" ;;
        *) fail "unknown fault '$f' in ORC_TEST_FAULTS" ;;
    esac
done
echo "PASS: $TEST_NAME"
