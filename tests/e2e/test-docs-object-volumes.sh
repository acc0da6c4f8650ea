#!/bin/bash
# The Kubernetes documentation's examples that mount ConfigMaps and Secrets, with the real
# kubectl, as their pages run them, each output the page shows asserted (ages aside):
#   configure-pod-container/configure-pod-configmap, "Add ConfigMap data to a Volume"
#     (configmap/configmap-multikeys.yaml, pods/pod-configmap-volume.yaml,
#     pod-configmap-volume-specific-key.yaml)
#   inject-data-application/distribute-credentials-secure, "Create a Pod that has access to
#     the secret data through a Volume" (pods/inject/secret.yaml, secret-pod.yaml)
#   configure-pod-container/configure-projected-volume-storage (pods/storage/projected.yaml)
#   the dotfile Secret of secret/ (secret/dotfile-secret.yaml)
# The pages' `kubectl exec -i -t POD -- CMD` run through docs_exec; `ls` without a terminal
# prints a name a line where the pages' terminal shows columns: compared joined.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

joined() { tr '\n' ' ' | sed 's/ *$//'; }
# runs POD-FILE (restartPolicy Never) to the end and prints its log
run_to_end() {
    out=$(kdocs create -f "$1")
    assert_eq "$out" "pod/dapi-test-pod created" "create -f $1"
    wait_for_phase dapi-test-pod Succeeded
    k logs dapi-test-pod
    k delete pod dapi-test-pod >/dev/null
    wait_for 30 pod_gone dapi-test-pod || fail "dapi-test-pod was not deleted"
}

echo "# configure-pod-configmap: Add ConfigMap data to a Volume"
out=$(kdocs create -f configmap/configmap-multikeys.yaml)
assert_eq "$out" "configmap/special-config created" "create -f configmap-multikeys.yaml"
echo "# Populate a Volume with data stored in a ConfigMap"
assert_eq "$(run_to_end pods/pod-configmap-volume.yaml)" "SPECIAL_LEVEL
SPECIAL_TYPE" "pod-configmap-volume: ls /etc/config/"

echo "# Add ConfigMap data to a specific path in the Volume"
# The example asks for the key special.level, which the page's special-config (SPECIAL_LEVEL,
# SPECIAL_TYPE) does not have: as kubelet, the volume cannot be set up and the container is
# not started (the page's 'very' needs the key SPECIAL_LEVEL).
out=$(kdocs create -f pods/pod-configmap-volume-specific-key.yaml)
assert_eq "$out" "pod/dapi-test-pod created" "create -f pod-configmap-volume-specific-key.yaml"
wait_for 30 eval 'k get events --field-selector involvedObject.name=dapi-test-pod | grep -q FailedMount' ||
    fail "no FailedMount event: $(k get events)"
assert_contains "$(k get events --field-selector involvedObject.name=dapi-test-pod)" "special.level" \
    "FailedMount names the missing key"
assert_table "$(k get pod dapi-test-pod)" "NAME            READY   STATUS              RESTARTS   AGE
dapi-test-pod   0/1     ContainerCreating   0          5s" "get pod: ContainerCreating"
k delete pod dapi-test-pod >/dev/null

echo "# distribute-credentials-secure"
out=$(kdocs apply -f pods/inject/secret.yaml)
assert_eq "$out" "secret/test-secret created" "apply secret.yaml"
echo "# Create a Pod that has access to the secret data through a Volume"
out=$(kdocs apply -f pods/inject/secret-pod.yaml)
assert_eq "$out" "pod/secret-test-pod created" "apply secret-pod.yaml"
wait_for_phase secret-test-pod Running
assert_table "$(k get pod secret-test-pod)" "NAME              READY     STATUS    RESTARTS   AGE
secret-test-pod   1/1       Running   0          42m" "get pod secret-test-pod"
assert_eq "$(docs_exec secret-test-pod test-container ls /etc/secret-volume | joined)" "password username" \
    "ls /etc/secret-volume"
assert_eq "$(docs_exec secret-test-pod test-container sh -c 'echo "$( cat /etc/secret-volume/username )"')" \
    "my-app" "cat username"
assert_eq "$(docs_exec secret-test-pod test-container sh -c 'echo "$( cat /etc/secret-volume/password )"')" \
    '39528$vdg7Jb' "cat password"

echo "# Configure a Pod to Use a Projected Volume for Storage"
mkdir -p "$TEST_DIR/work" && cd "$TEST_DIR/work"
echo -n "admin" >./username.txt
echo -n "1f2d1e2e67df" >./password.txt
assert_eq "$(k create secret generic user --from-file=./username.txt)" "secret/user created" "create secret user"
assert_eq "$(k create secret generic pass --from-file=./password.txt)" "secret/pass created" "create secret pass"
out=$(kdocs apply -f pods/storage/projected.yaml)
assert_eq "$out" "pod/test-projected-volume created" "apply projected.yaml"
wait_for_phase test-projected-volume Running
assert_table "$(k get pod test-projected-volume)" "NAME                    READY     STATUS    RESTARTS   AGE
test-projected-volume   1/1       Running   0          14s" "get pod test-projected-volume"
assert_eq "$(docs_exec test-projected-volume test-projected-volume ls /projected-volume/ | joined)" \
    "password.txt username.txt" "ls /projected-volume/"
assert_eq "$(docs_exec test-projected-volume test-projected-volume cat /projected-volume/password.txt)" \
    "1f2d1e2e67df" "the projected password"

echo "# secret/dotfile-secret.yaml"
cd "$DOCS"
assert_eq "$(kdocs apply -f secret/dotfile-secret.yaml)" "secret/dotfile-secret created
pod/secret-dotfiles-pod created" "apply dotfile-secret.yaml"
# the pod's restartPolicy is Always: its ls runs again and again; the file is hidden, so
# ls -l shows nothing
wait_for 30 eval '[ "$(k logs secret-dotfiles-pod)" = "total 0" ]' ||
    fail "ls -l /etc/secret-volume: $(k logs secret-dotfiles-pod)"
echo "PASS: $TEST_NAME"
