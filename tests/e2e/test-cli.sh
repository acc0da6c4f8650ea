#!/bin/bash
# The CLI's verbs, output formats and exit codes, as kubectl users expect them.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
ex=$ORC_SOURCE_DIR/manifests/examples

assert_contains "$("$ORC" --help)" "Usage: orc" "help"
assert_contains "$("$ORC" logs --help)" "--previous" "verb help"
expect_exit 1 "$ORC" frobnicate
assert_contains "$out" 'error: unknown command "frobnicate" for "orc"' "unknown verb"
assert_contains "$("$ORC" get pods 2>&1)" "No resources found in default namespace." "empty list"

assert_eq "$("$ORC" apply -f "$ex/kyaml-pod.yaml")" "pod/kyaml created" "KYAML flow style"
assert_eq "$("$ORC" apply -f "$ex/kyaml-pod.yaml")" "pod/kyaml unchanged" "unchanged"
# a NUL in the path must not cut "kyaml%00x" down to "kyaml" (it would act on that pod)
code=$(curl -s -o "$TEST_DIR/nul.json" -w '%{http_code}' -X DELETE \
    --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" 'http://localhost/api/v1/namespaces/default/pods/kyaml%00x')
assert_eq "$code" 400 "a %00 in the path is a bad request"
assert_contains "$(cat "$TEST_DIR/nul.json")" "NUL" "and says why"
assert_eq "$(pod_field kyaml .metadata.deletionTimestamp)" null "the pod it named the prefix of is untouched"
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" \
    'http://localhost/api/v1/namespaces/default/pods/ky%61ml')
assert_eq "$code" 200 "other escapes are still decoded"
sed 's/name: "kyaml",/name: "kyaml", labels: {tier: "x"},/' "$ex/kyaml-pod.yaml" | "$ORC" apply -f - >"$TEST_DIR/out"
assert_eq "$(cat "$TEST_DIR/out")" "pod/kyaml configured" "label change from stdin"
mkdir "$TEST_DIR/dir"
cp "$ex/two-containers.yaml" "$TEST_DIR/dir/a.yaml"
sed 's/name: hello/name: hello2/; s/app: hello/app: other/' "$ex/pod.yaml" >"$TEST_DIR/dir/b.yml"
echo "not a manifest" >"$TEST_DIR/dir/notes.txt"
assert_eq "$("$ORC" apply -f "$TEST_DIR/dir")" $'pod/web created\npod/hello2 created' "a directory, in name order"
sed 's/name: hello/name: elsewhere/; s/^metadata:/metadata:\n  namespace: team/' "$ex/pod.yaml" | "$ORC" apply -f - >/dev/null
for p in kyaml web hello2; do wait_for_phase $p Running 30; done

table=$("$ORC" get pods)
assert_eq "$(head -n1 <<<"$table" | tr -s ' ')" "NAME READY STATUS RESTARTS AGE" "columns"
assert_contains "$(grep '^web ' <<<"$table" | tr -s ' ')" "web 2/2 Running 0" "row"
assert_not_contains "$table" "elsewhere" "other namespaces stay out"
assert_contains "$("$ORC" get pods -A | head -n1)" "NAMESPACE" "-A adds NAMESPACE"
assert_contains "$("$ORC" get pods -n team)" "elsewhere" "-n"
assert_contains "$("$ORC" get pods -o wide | head -n1)" "NOMINATED NODE" "-o wide"
assert_eq "$("$ORC" get pod web -o name)" "pod/web" "-o name"
assert_eq "$("$ORC" get pods -o json | jq -r .kind)" "List" "-o json list"
assert_eq "$("$ORC" get pod web -o json | jq -r '.status.containerStatuses | length')" 2 "-o json pod"
yaml=$("$ORC" get pod web -o yaml)
assert_contains "$yaml" "kind: Pod" "-o yaml"
assert_contains "$yaml" "  phase: Running" "-o yaml status"
expect_exit 1 "$ORC" get pod nosuch
assert_eq "$out" 'Error from server (NotFound): pods "nosuch" not found' "kubectl's NotFound"

desc=$("$ORC" describe pod web)
for want in "Name:         web" "Status:       Running" "  server:" "  client:" "Restart Count:     0" \
    "Started container server" $'  Type                        Status\n  PodReadyToStartContainers   True' \
    $'\n  ContainersReady             True'; do
    assert_contains "$desc" "$want" "describe"
done
assert_not_contains "$desc" "Limits:" "describe: no word on limits for a pod that sets none"
# a finished pod: get's STATUS is the container's reason, describe's Status the phase
apply_yaml once.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: Never
  containers: [{name: c, image: localhost/busybox:latest, command: ["true"]}]
YAML
wait_for_phase once Succeeded 30
assert_contains "$("$ORC" get pod once | tail -n 1 | tr -s ' ')" "once 0/1 Completed 0" "get: Completed"
assert_contains "$("$ORC" describe pod once)" $'\nStatus:       Succeeded\n' "describe: the phase"
"$ORC" delete pod once >/dev/null
assert_contains "$("$ORC" events --for pod/web)" "Started container client" "events"

assert_eq "$("$ORC" delete -f "$TEST_DIR/dir" --grace-period 1)" $'pod "web" deleted\npod "hello2" deleted' "delete -f DIR"
pod_gone web && pod_gone hello2 || fail "delete -f left pods"
expect_exit 1 "$ORC" delete pod kyaml nosuch --grace-period 1
assert_contains "$out" 'pod "kyaml" deleted' "the existing one is deleted"
assert_contains "$out" 'Error from server (NotFound): pods "nosuch" not found' "the missing one is reported"
"$ORC" -n team delete pod elsewhere --wait=false >/dev/null
assert_contains "$("$ORC" version)" "Server Version: v" "version"

# resources are accepted; where no delegated cgroup exists the pod runs and says so
apply_yaml limited.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: limited}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sleep", "3600"]
      resources: {limits: {cpu: 500m, memory: 64Mi}}
YAML
wait_for_phase limited Running 30
cond=$(pod_json limited | jq -c '.status.conditions[] | select(.type == "orc.dev/LimitsEnforced")')
if [ -d /run/systemd/system ] && [ -S "$XDG_RUNTIME_DIR/bus" ]; then
    assert_contains "$cond" '"status":"True"' "limits enforced under systemd"
else
    assert_contains "$cond" '"status":"False"' "the condition says limits are not enforced here"
    assert_contains "$("$ORC" describe pod limited)" $'\nLimits:       not enforced: no delegated cgroup' "describe says so"
    assert_contains "$("$ORC" events --for pod/limited)" "LimitsNotEnforced" "an event says so"
    assert_contains "$("$ORC" top pods | grep limited)" "<unknown>" "top has no cgroup to read here"
    # --require-limits: such a pod fails instead of running unlimited
    stop_orcd
    start_orcd --require-limits
    sed 's/name: limited/name: strict/' "$TEST_DIR/limited.yaml" | apply_yaml strict.yaml >/dev/null
    wait_for_phase strict Failed 30
    assert_eq "$(pod_field strict .status.reason)" "LimitsNotEnforced" "the reason"
    assert_contains "$(pod_field strict .status.message)" "cannot be enforced" "the message"
    gone() { ! pgrep -f "pod-name strict" >/dev/null; }
    wait_for 10 gone || fail "the refused pod's shim stayed"
fi
assert_eq "$(pod_json limited | jq -r '.spec.containers[0].resources.limits.memory')" 67108864 "stored canonically"
assert_contains "$("$ORC" describe pod limited)" $'    Limits:\n      cpu:     500m\n      memory:  64Mi\n    Requests:\n      cpu:     500m\n      memory:  64Mi\n' \
    "describe: the container's limits and requests (defaulted to the limits)"
echo "PASS: $TEST_NAME"
