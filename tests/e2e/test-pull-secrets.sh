#!/bin/bash
# imagePullSecrets as kubelet uses them, against Debian's docker-registry with htpasswd on
# loopback: a pod without credentials gets ErrImagePull and ImagePullBackOff with the
# registry's 401; a kubernetes.io/dockerconfigjson Secret, one made by `kubectl create secret
# docker-registry` and a kubernetes.io/dockercfg one let pods pull; a Secret of another type
# is passed over; a missing one is a FailedToRetrieveImagePullSecret warning and the pull
# goes on (with the other secrets, and with one created later at the next retry); a wrong
# password is the registry's 401, after which the auth file's credentials are tried, as
# kubelet's union keyring falls back to the node's; a Secret that is not docker's
# configuration fails the pull naming it. No credential reaches an event or orcd's log.
source "$(dirname "$0")/lib.sh"
setup
source "$(dirname "$0")/registry-lib.sh"
registry_prerequisites
command -v kubectl >/dev/null || skip "kubectl missing"

PORT=$(free_port)
htpasswd -Bbn tester s3cret >"$TEST_DIR/htpasswd"
start_registry private "$PORT" "{htpasswd: {realm: orc-test, path: $TEST_DIR/htpasswd}}"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/busybox" >/dev/null
push "$TEST_DIR/busybox" "$PORT/team/busybox:1.0" tester:s3cret
IMAGE=127.0.0.1:$PORT/team/busybox:1.0
# no credentials of the user's: only the pods' secrets, and the auth file the test writes
unset REGISTRY_AUTH_FILE
HOME=$TEST_DIR start_orcd --backoff-base 1000
kubectl_setup

b64() { printf %s "$1" | base64 -w0; }
# secret NAME TYPE KEY PAYLOAD: a Secret holding PAYLOAD under KEY
secret() {
    apply_yaml "secret-$1.yaml" <<YAML >/dev/null || fail "apply secret $1"
apiVersion: v1
kind: Secret
metadata: {name: $1}
type: $2
data: {$3: $(b64 "$4")}
YAML
}
# pod NAME SECRET...: a pod of the private image that pulls it (Always) with these secrets
pod() {
    local name=$1 refs=
    shift
    for s in "$@"; do refs+="{name: $s}, "; done
    apply_yaml "pod-$name.yaml" <<YAML >/dev/null || fail "apply pod $name"
apiVersion: v1
kind: Pod
metadata: {name: $name}
spec:
  restartPolicy: Never
  imagePullSecrets: [${refs%, }]
  containers:
    - name: c
      image: $IMAGE
      imagePullPolicy: Always
      command: ["echo", "pulled with credentials"]
YAML
}
waiting() { [ "$(pod_field "$1" '.status.containerStatuses[0].state.waiting.reason')" = "$2" ]; }
waiting_message() { pod_field "$1" '.status.containerStatuses[0].state.waiting.message'; }
ran() {
    wait_for_phase "$1" Succeeded 60
    assert_eq "$("$ORC" logs "$1")" "pulled with credentials" "$1 ran from the private image"
}
events() { "$ORC" events --for "pod/$1"; }
# refused NAME: the pull failed (ErrImagePull) and waits (ImagePullBackOff); prints why, from
# kubelet's event "Failed to pull image IMAGE: WHY" (the back-off's own message does not say)
refused() {
    wait_for 30 waiting "$1" ImagePullBackOff || fail "$1 is not in ImagePullBackOff: $("$ORC" describe pod "$1")"
    assert_contains "$(events "$1")" "Error: ErrImagePull" "$1: ErrImagePull"
    k get events --field-selector "involvedObject.name=$1,reason=Failed" \
        -o jsonpath='{range .items[*]}{.message}{"\n"}{end}' | sed -n "s|^Failed to pull image \"$IMAGE\": ||p" | tail -1
}
auths() { printf '{"auths": {"%s": {"auth": "%s"}}}' "$1" "$(b64 "$2")"; }

echo "# without credentials: the registry's 401, ErrImagePull then ImagePullBackOff"
pod anonymous
assert_eq "$(refused anonymous)" "pull '$IMAGE': 127.0.0.1:$PORT: authentication required (HTTP 401) and no credentials for it in the auth files" \
    "the registry's 401"
assert_eq "$(waiting_message anonymous)" "Back-off pulling image \"$IMAGE\"" "the back-off message"
"$ORC" delete pod anonymous --grace-period 0 >/dev/null

echo "# a kubernetes.io/dockerconfigjson Secret"
secret regcred kubernetes.io/dockerconfigjson .dockerconfigjson "$(auths "127.0.0.1:$PORT" tester:s3cret)"
pod with-secret regcred
ran with-secret
assert_contains "$(events with-secret)" "Successfully pulled image \"$IMAGE\"" "the Pulled event"
assert_not_contains "$(events with-secret)" FailedToRetrieveImagePullSecret "no warning: the secret is there"
# the key may carry a scheme and a path prefix of the repository, as kubelet matches it
secret scoped kubernetes.io/dockerconfigjson .dockerconfigjson "$(auths "https://127.0.0.1:$PORT/team" tester:s3cret)"
pod scoped scoped
ran scoped
secret elsewhere kubernetes.io/dockerconfigjson .dockerconfigjson "$(auths "127.0.0.1:$PORT/other" tester:s3cret)"
pod elsewhere elsewhere
assert_contains "$(refused elsewhere)" "authentication required (HTTP 401) and no credentials for it in the pod's image pull secrets or the auth files" \
    "another repository's key does not match"

echo "# kubectl create secret docker-registry"
out=$(k create secret docker-registry kubecred --docker-server="127.0.0.1:$PORT" \
    --docker-username=tester --docker-password=s3cret --docker-email=tester@example.org)
assert_eq "$out" "secret/kubecred created" "kubectl's answer"
assert_eq "$(k get secret kubecred -o jsonpath='{.type}')" kubernetes.io/dockerconfigjson "kubectl's type"
pod from-kubectl kubecred
ran from-kubectl

echo "# a kubernetes.io/dockercfg Secret; another type is passed over"
secret oldcfg kubernetes.io/dockercfg .dockercfg "{\"127.0.0.1:$PORT\": {\"auth\": \"$(b64 tester:s3cret)\"}}"
pod from-dockercfg oldcfg
ran from-dockercfg
secret opaque Opaque .dockerconfigjson "$(auths "127.0.0.1:$PORT" tester:s3cret)"
pod opaque opaque
assert_contains "$(refused opaque)" "authentication required (HTTP 401) and no credentials for it in the auth files" \
    "an Opaque Secret holds no pull credentials for kubelet"

echo "# a missing Secret: a warning, and the pull goes on"
warning="Unable to retrieve some image pull secrets (nosuch); attempting to pull the image may not succeed."
pod partly nosuch regcred
ran partly
ev=$(events partly)
assert_contains "$ev" "FailedToRetrieveImagePullSecret" "the warning's reason"
assert_contains "$ev" "$warning" "kubelet's message naming the missing secret"
assert_eq "$(k get events --field-selector involvedObject.name=partly,reason=FailedToRetrieveImagePullSecret \
    -o jsonpath='{.items[0].type}: {.items[0].message}')" "Warning: $warning" "the event through kubectl"
pod late late nosuch
refused late >/dev/null
assert_contains "$(events late)" "Unable to retrieve some image pull secrets (late, nosuch); attempting to pull the image may not succeed." \
    "every missing name, in the pod's order"
assert_contains "$(events late)" "Pulling image \"$IMAGE\"" "the pull is tried all the same"
# created now, the Secret is read when the back-off ends
secret late kubernetes.io/dockerconfigjson .dockerconfigjson "$(auths "127.0.0.1:$PORT" tester:s3cret)"
ran late

echo "# a wrong password: the registry's 401; then the auth file's credentials"
secret wrong kubernetes.io/dockerconfigjson .dockerconfigjson "$(auths "127.0.0.1:$PORT" tester:wrong)"
pod wrong wrong
assert_eq "$(refused wrong)" "pull '$IMAGE': manifest team/busybox:1.0: 127.0.0.1:$PORT: authentication required, UNAUTHORIZED (HTTP 401)" \
    "the registry's refusal of the secret's credentials"
mkdir -p "$XDG_RUNTIME_DIR/containers"
auths "127.0.0.1:$PORT" tester:s3cret >"$XDG_RUNTIME_DIR/containers/auth.json"
pod fallback wrong
ran fallback
pod files-only
ran files-only
rm "$XDG_RUNTIME_DIR/containers/auth.json"

echo "# a Secret that is not docker's configuration fails the pull, naming it"
secret broken kubernetes.io/dockerconfigjson .dockerconfigjson "{\"auths\": {\"127.0.0.1:$PORT\": {\"auth\": \"$(b64 s3cret)\"}}}"
pod broken broken
assert_eq "$(refused broken)" "image pull secret \"broken\": .dockerconfigjson: entry \"127.0.0.1:$PORT\": unable to parse auth field, must be formatted as base64(username:password)" \
    "kubelet's reason, the secret named"

echo "# no credential in events, statuses or orcd's log"
for leak in s3cret "$(b64 tester:s3cret)" "$(b64 s3cret)"; do
    assert_not_contains "$("$ORC" events)" "$leak" "no credential in the events"
    assert_not_contains "$(k get events -o json)" "$leak" "no credential in the events through kubectl"
    assert_not_contains "$("$ORC" get pods -o json)" "$leak" "no credential in the pods"
    ! grep -qF -- "$leak" "$TEST_DIR/orcd.log" || fail "a credential in orcd's log"
done
echo "ok"
