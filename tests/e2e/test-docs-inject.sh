#!/bin/bash
# The Kubernetes documentation's task pages of "Inject Data Into Applications" about commands
# and environment variables, and "Use a User Namespace With a Pod", run with the real kubectl
# as the pages run them, each page's output asserted (normalised for ages, the node's name
# and the pod's address):
#   define-command-argument-container (pods/commands.yaml)
#   define-environment-variable-container (pods/inject/envars.yaml)
#   define-interdependent-environment-variables (pods/inject/dependent-envars.yaml)
#   environment-variable-expose-pod-information (pods/inject/dapi-envars-pod.yaml,
#     pods/inject/dapi-envars-container.yaml)
#   configure-pod-container/user-namespaces (pods/user-namespaces-stateless.yaml)
# Where a page runs `kubectl exec`, docs_exec runs the same command in the container.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

node=$(k get nodes -o jsonpath='{.items[0].metadata.name}')

echo "# all five pods applied as the pages apply them"
out=$(kdocs apply -f pods/commands.yaml)
assert_eq "$out" "pod/command-demo created" "apply commands.yaml"
out=$(kdocs apply -f pods/inject/envars.yaml)
assert_eq "$out" "pod/envar-demo created" "apply envars.yaml"
out=$(kdocs apply -f pods/inject/dependent-envars.yaml)
assert_eq "$out" "pod/dependent-envars-demo created" "apply dependent-envars.yaml"
out=$(kdocs apply -f pods/inject/dapi-envars-pod.yaml)
assert_eq "$out" "pod/dapi-envars-fieldref created" "apply dapi-envars-pod.yaml"
out=$(kdocs apply -f pods/inject/dapi-envars-container.yaml)
assert_eq "$out" "pod/dapi-envars-resourcefieldref created" "apply dapi-envars-container.yaml"

echo "# define-environment-variable-container: get -l, then printenv in the container"
wait_for_phase envar-demo Running
assert_table "$(k get pods -l purpose=demonstrate-envars)" "NAME            READY     STATUS    RESTARTS   AGE
envar-demo      1/1       Running   0          9s" "get pods -l purpose=demonstrate-envars"
out=$(docs_exec envar-demo envar-demo-container printenv) || fail "exec printenv: $out"
assert_contains "$out" "HOSTNAME=envar-demo" "printenv: HOSTNAME"
assert_contains "$out" "DEMO_GREETING=Hello from the environment
DEMO_FAREWELL=Such a sweet sorrow" "printenv: the pod's variables, in order, after the image's"

echo "# define-interdependent-environment-variables: get, then the log"
wait_for_phase dependent-envars-demo Running
assert_table "$(k get pods dependent-envars-demo)" "NAME                      READY     STATUS    RESTARTS   AGE
dependent-envars-demo     1/1       Running   0          9s" "get pods dependent-envars-demo"
wait_for_log_lines pod/dependent-envars-demo 4
# The page shows ESCAPED_REFERENCE unexpanded; the example it includes has lost the '$$'
# escape (its value is "$(PROTOCOL)://..."), so Kubernetes expands it: asserted as
# Kubernetes does it. UNCHANGED_REFERENCE names PROTOCOL before it is defined: kept literal.
assert_eq "$(k logs pod/dependent-envars-demo)" "
UNCHANGED_REFERENCE=\$(PROTOCOL)://172.17.0.1:80
SERVICE_ADDRESS=https://172.17.0.1:80
ESCAPED_REFERENCE=https://172.17.0.1:80" "logs pod/dependent-envars-demo"

echo "# environment-variable-expose-pod-information: pod fields"
wait_for_phase dapi-envars-fieldref Running
ip=$(pod_field dapi-envars-fieldref .status.podIP)
wait_for_log_lines dapi-envars-fieldref 6
# the page's minikube and 172.17.0.4 are its node's name and its pod's address
assert_eq "$(k logs dapi-envars-fieldref | head -6)" "
$node
dapi-envars-fieldref
default
$ip
default" "logs dapi-envars-fieldref"
out=$(docs_exec dapi-envars-fieldref test-container printenv)
for line in MY_POD_SERVICE_ACCOUNT=default MY_POD_NAMESPACE=default "MY_POD_IP=$ip" \
    "MY_NODE_NAME=$node" MY_POD_NAME=dapi-envars-fieldref; do
    assert_contains "$out" "$line" "printenv in dapi-envars-fieldref"
done

echo "# environment-variable-expose-pod-information: container fields"
wait_for_phase dapi-envars-resourcefieldref Running
wait_for_log_lines dapi-envars-resourcefieldref 5
assert_eq "$(k logs dapi-envars-resourcefieldref | head -5)" "
1
1
33554432
67108864" "logs dapi-envars-resourcefieldref"

echo "# define-command-argument-container: HOSTNAME, and no KUBERNETES_PORT without Services"
# The page shows 'command-demo' and the kubernetes Service's tcp://10.3.240.1:443, and the pod
# Completed. orc serves no Services, so there is no KUBERNETES_PORT: printenv prints the
# hostname and exits 1, and restartPolicy OnFailure runs it again, as kubelet would on a
# node without that Service.
wait_for 30 eval '[ "$(pod_field command-demo ".status.containerStatuses[0].restartCount")" -ge 1 ]' ||
    fail "command-demo was not restarted: $(k get pod command-demo)"
assert_eq "$(k logs command-demo)" "command-demo" "logs command-demo"
assert_eq "$(k logs command-demo --previous)" "command-demo" "logs --previous command-demo"
assert_eq "$(pod_field command-demo '.status.containerStatuses[0].lastState.terminated.exitCode')" 1 \
    "printenv's exit status for a missing variable"

echo "# user-namespaces: hostUsers false"
# Every orc pod runs in the agent's user namespace, so the pod asks for what orc does anyway
out=$(kdocs apply -f pods/user-namespaces-stateless.yaml)
assert_eq "$(tail -1 <<<"$out")" "pod/userns created" "apply user-namespaces-stateless.yaml"
wait_for_phase userns Running
# the page's `kubectl attach -it userns bash`, then readlink and cat, in the container
inside=$(docs_exec userns shell readlink /proc/self/ns/user)
[[ "$inside" =~ ^user:\[[0-9]+\]$ ]] || fail "readlink /proc/self/ns/user: $inside"
[ "$inside" != "$(readlink /proc/self/ns/user)" ] || fail "the container is in the host's user namespace"
out=$(docs_exec userns shell cat /proc/self/uid_map)
assert_eq "$(tail -1 <<<"$out" | awk '{ print $3 }')" 65536 "uid_map: the last number is 65536"
assert_not_contains "$(awk '$1 == 0 && $2 == 0' <<<"$out")" "0" "uid_map: root is not the host's root"

echo "# deleted as the pages delete them"
out=$(k delete pod command-demo envar-demo dependent-envars-demo dapi-envars-fieldref \
    dapi-envars-resourcefieldref userns --grace-period 1)
assert_contains "$out" 'pod "dapi-envars-resourcefieldref" deleted' "kubectl delete"
echo "PASS: $TEST_NAME"
