#!/bin/bash
# Namespace lifecycle with the real kubectl: deleting a namespace makes it Terminating, deletes
# its pods gracefully and its ConfigMaps and Secrets, refuses new content meanwhile (403, as
# the API server), then removes it; the built-in namespaces cannot be deleted; a pod in a
# namespace that does not exist makes it (NamespaceAutoProvision); `orc apply` of a Namespace
# document creates and updates it.
source "$(dirname "$0")/lib.sh"
command -v kubectl >/dev/null || skip "kubectl missing"
setup
trap 'echo "FAIL: $TEST_NAME: line $LINENO: $BASH_COMMAND" >&2' ERR
start_orcd
load_busybox_image
kubectl_setup

echo "# the built-in namespaces stay"
for ns in default kube-system kube-public; do
    out=$(k delete namespace "$ns") && fail "namespace $ns deleted: $out"
    assert_eq "$out" "Error from server (Forbidden): namespaces \"$ns\" is forbidden: this namespace may not be deleted" \
        "deleting $ns"
done

echo "# a namespace with a pod, a ConfigMap and a Secret"
assert_eq "$(k create namespace team)" "namespace/team created" "create namespace"
out=$(apply_yaml team.yaml <<'EOF2'
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: team}
data: {a: b}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: team}
stringData: {a: b}
---
apiVersion: v1
kind: Pod
metadata: {name: slow, namespace: team}
spec:
  terminationGracePeriodSeconds: 5
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}]
EOF2
) || fail "apply: $out"
out=$(k wait --for=jsonpath='{.status.phase}'=Running pod/slow -n team --timeout=60s) ||
    fail "the pod did not run: $out"

echo "# delete: Terminating, then gone"
out=$(k delete namespace team --wait=false)
assert_eq "$out" 'namespace "team" deleted' "kubectl delete namespace"
assert_eq "$(k get namespace team -o jsonpath='{.status.phase} {.metadata.deletionTimestamp}' | cut -c1-12)" \
    "Terminating " "the namespace is Terminating"
assert_eq "$(k get cm,secrets -n team -o name)" "" "its ConfigMaps and Secrets are gone at once"
assert_eq "$(k get pod slow -n team -o jsonpath='{.metadata.deletionGracePeriodSeconds}')" "5" \
    "its pod terminates with its own grace period"
out=$(k create configmap late -n team --from-literal=a=b) && fail "created in a Terminating namespace: $out"
assert_eq "$out" 'error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated' \
    "nothing new in a Terminating namespace"
out=$(printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: late, namespace: team}\nspec:\n  containers: [{name: c, image: localhost/absent:1}]\n' |
    "$ORC" apply -f - 2>&1) && fail "a pod was applied into a Terminating namespace: $out"
assert_contains "$out" 'pods "late" is forbidden: unable to create new content in namespace team because it is being terminated' \
    "orc apply is refused too"
out=$(k wait --for=delete namespace/team --timeout=60s) || fail "the namespace stayed: $out"
out=$(k get namespace team) && fail "still there: $out"
assert_contains "$out" 'namespaces "team" not found' "it is removed"

echo "# a pod's namespace is made with it"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: fresh}\n' | "$ORC" apply -f - >/dev/null ||
    fail "apply into a new namespace"
assert_eq "$(k get namespace fresh -o jsonpath='{.status.phase}')" "Active" "NamespaceAutoProvision"
assert_eq "$(k delete namespace fresh)" 'namespace "fresh" deleted' "an empty namespace goes at once"
echo "# orc apply of a Namespace document, then objects in it"
cat > "$TEST_DIR/ns.yaml" <<'EOF2'
apiVersion: v1
kind: Namespace
metadata: {name: team-b, labels: {env: dev}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: team-b}
data: {a: b}
EOF2
assert_eq "$("$ORC" apply -f "$TEST_DIR/ns.yaml" 2>&1)" "namespace/team-b created
configmap/cfg created" "applied"
assert_eq "$(k get namespace team-b -o jsonpath='{.status.phase} {.metadata.labels}')" \
    'Active {"env":"dev","kubernetes.io/metadata.name":"team-b"}' "its labels, and the name label the server adds"
assert_eq "$(k get namespace team-b -o jsonpath='{.spec.finalizers}')" '["kubernetes"]' "its finalizer"
assert_eq "$("$ORC" apply -f "$TEST_DIR/ns.yaml" 2>&1)" "namespace/team-b unchanged
configmap/cfg unchanged" "applied again"
sed -i 's/env: dev/env: prod/' "$TEST_DIR/ns.yaml"
assert_eq "$("$ORC" apply -f "$TEST_DIR/ns.yaml" 2>&1 | head -1)" "namespace/team-b configured" "a label changed"
assert_eq "$(k get namespace team-b -o jsonpath='{.metadata.labels.env}')" prod "the new label"
out=$(printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n' | "$ORC" apply -f - 2>&1) &&
    fail "a namespace named a.b was applied: $out"
assert_contains "$out" 'metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label' "a name that is no DNS label"
assert_eq "$(k get namespace a.b 2>&1)" 'Error from server (NotFound): namespaces "a.b" not found' "nothing stored"
assert_eq "$(k delete namespace team-b --timeout=60s)" 'namespace "team-b" deleted' "deleted with kubectl"
echo "# orc apply -n: documents that name no namespace go there; one naming another is refused"
out=$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: here}\ndata: {a: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: localhost/absent:1}]\n' |
    "$ORC" -n team-c apply -f - 2>&1) || fail "apply -n: $out"
assert_eq "$out" "configmap/here created
pod/p created" "applied"
assert_eq "$(k get cm,pods -n team-c -o name)" "configmap/here
pod/p" "in the namespace -n names"
assert_eq "$(k get cm here -n default 2>&1)" 'Error from server (NotFound): configmaps "here" not found' \
    "not in default"
out=$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: there, namespace: other}\n' |
    "$ORC" apply -n team-c -f - 2>&1) && fail "a document of another namespace was applied: $out"
assert_contains "$out" "metadata.namespace: the namespace from the provided object \"other\" does not match the namespace \"team-c\". You must pass '--namespace=other' to perform this operation." \
    "kubectl's refusal"
assert_eq "$(k get cm there -n other 2>&1)" 'Error from server (NotFound): namespaces "other" not found' "nothing stored"
out=$(printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: other}\nspec:\n  containers: [{name: c, image: localhost/absent:1}]\n' |
    "$ORC" apply -n team-c -f - 2>&1) && fail "a pod of another namespace was applied: $out"
assert_contains "$out" "metadata.namespace: the namespace from the provided object \"other\" does not match the namespace \"team-c\"." \
    "the same refusal for a pod"
assert_eq "$(k delete namespace team-c --timeout=60s)" 'namespace "team-c" deleted' "deleted"
echo "PASS: $TEST_NAME"
