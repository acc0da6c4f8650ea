#!/bin/bash
# Pulls from real registries (Debian's docker-registry on loopback, images pushed with
# skopeo): anonymous, basic auth, a multi-platform index, a digest-pinned reference, a blob
# corrupted in the registry's storage, a server that stops mid-pull, an unknown image and an
# unreachable registry; pods from pulled images run. Then: a registry that drips bytes meets
# the progress deadline; an implied imagePullPolicy Always uses the stored image when its
# registry cannot be reached (a written one, a registry that answers and the strict setting
# do not); short names through docker.io are official images (library/); an invalid
# reference waits with InvalidImageName and is never pulled.
source "$(dirname "$0")/lib.sh"
setup
source "$(dirname "$0")/registry-lib.sh"
registry_prerequisites
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
images_has() { "$ORC" images | grep -q "$1"; }
no_scratch() { ! ls -d "$XDG_DATA_HOME"/orc/storage/tmp-pull-* >/dev/null 2>&1; }

PORT=$(free_port) AUTH_PORT=$(free_port) PROXY_PORT=$(free_port) DEAD_PORT=$(free_port)
start_registry plain "$PORT"
htpasswd -Bbn tester s3cret >"$TEST_DIR/htpasswd"
start_registry private "$AUTH_PORT" "{htpasswd: {realm: orc-test, path: $TEST_DIR/htpasswd}}"
# a registry behind a token server: Docker's bearer-token protocol
TOKEN_PORT=$(free_port) BEARER_PORT=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TEST_DIR/token.key" -out "$TEST_DIR/token.crt" \
    -days 2 -subj /CN=orc-test-tokens >/dev/null 2>&1 || fail "openssl"
python3 "$ORC_SOURCE_DIR/tests/e2e/token-server.py" "$TOKEN_PORT" "$TEST_DIR/token.key" \
    "$TEST_DIR/token.crt" orc-test-issuer orc-registry bearer:t0ken &
on_cleanup "kill $!"
start_registry bearer "$BEARER_PORT" "{token: {realm: 'http://127.0.0.1:$TOKEN_PORT/token', service: orc-registry, issuer: orc-test-issuer, rootcertbundle: $TEST_DIR/token.crt}}"
B=$TEST_DIR/busybox
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$B" >/dev/null
push "$B" "$PORT/test/busybox:1.0"
push "$B" "$AUTH_PORT/team/busybox:1.0" tester:s3cret
push "$B" "$BEARER_PORT/bearer/busybox:1.0" bearer:t0ken
"$ORC_SOURCE_DIR/tests/e2e/recompress-layout.sh" "$B" "$TEST_DIR/zstd" zstd
"$ORC_SOURCE_DIR/tests/e2e/recompress-layout.sh" "$B" "$TEST_DIR/plain-tar" tar
push "$TEST_DIR/zstd" "$PORT/test/zstd:1.0"
push_raw "$TEST_DIR/plain-tar" "$PORT" test/plain-tar 1.0
"$ORC_SOURCE_DIR/tests/e2e/make-multiarch-layout.sh" "$B" "$TEST_DIR/multi"
push "$TEST_DIR/multi:multi" "$PORT/test/multi:1.0"
start_orcd

echo "# anonymous pull, and a pod from the pulled image"
out=$("$ORC" pull "127.0.0.1:$PORT/test/busybox:1.0" 2>&1) || fail "pull: $out"
assert_contains "$out" "Copying blob" "podman-style progress lines"
id=$(tail -1 <<<"$out")
[ ${#id} = 64 ] || fail "the last line is the image id: $out"
assert_contains "$("$ORC" images)" "127.0.0.1:$PORT/test/busybox" "listed"
out2=$("$ORC" pull "127.0.0.1:$PORT/test/busybox:1.0" 2>&1) || fail "warm pull: $out2"
assert_eq "$(tail -1 <<<"$out2")" "$id" "a warm pull finds the same image"
apply_yaml pod.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: from-registry}
spec:
  restartPolicy: Never
  containers:
    - name: c
      image: 127.0.0.1:$PORT/test/busybox:1.0
      imagePullPolicy: Always
      command: ["echo", "ran from a pulled image"]
YAML
wait_for_phase from-registry Succeeded 30
assert_contains "$("$ORC" logs from-registry)" "ran from a pulled image" "the pod ran"
ev=$("$ORC" events --for pod/from-registry)
assert_contains "$ev" "Pulling image \"127.0.0.1:$PORT/test/busybox:1.0\"" "Pulling event"
assert_contains "$ev" "Successfully pulled image" "Pulled event"

tty_out=$(script -qefc "'$ORC' pull 127.0.0.1:$PORT/test/busybox:1.0" /dev/null) || fail "pull on a terminal"
assert_contains "$tty_out" $'\033[' "on a terminal the progress redraws in place"
assert_contains "$tty_out" "Copying blob" "progress rows on a terminal"

echo "# digest-pinned and multi-platform"
digest=$(skopeo inspect --tls-verify=false "docker://127.0.0.1:$PORT/test/busybox:1.0" | jq -r .Digest)
out=$("$ORC" pull "127.0.0.1:$PORT/test/busybox@$digest" 2>&1) || fail "digest pull: $out"
assert_eq "$(tail -1 <<<"$out")" "$id" "the digest names the same image"
bad=sha256:$(printf '0%.0s' $(seq 64))
expect_exit 125 "$ORC" pull "127.0.0.1:$PORT/test/busybox@$bad"
assert_contains "$out" "manifest unknown, MANIFEST_UNKNOWN (HTTP 404)" "an unknown digest is the registry's 404"
out=$("$ORC" pull "127.0.0.1:$PORT/test/multi:1.0" 2>&1) || fail "index pull: $out"
assert_eq "$(tail -1 <<<"$out")" "$id" "the index gives this machine's image, not the other platform's"

echo "# basic auth: none, wrong and right credentials"
out=$("$ORC" pull "127.0.0.1:$AUTH_PORT/team/busybox:1.0" 2>&1) && fail "pulled without credentials"
assert_contains "$out" "authentication required" "no credentials"
mkdir -p "$XDG_RUNTIME_DIR/containers"
auth() { printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}}}' "$AUTH_PORT" "$(printf %s "$1" | base64)" \
    >"$XDG_RUNTIME_DIR/containers/auth.json"; }
auth tester:wrong
out=$("$ORC" pull "127.0.0.1:$AUTH_PORT/team/busybox:1.0" 2>&1) && fail "pulled with a wrong password"
assert_contains "$out" "HTTP 401" "a wrong password is refused"
auth tester:s3cret
out=$("$ORC" pull "127.0.0.1:$AUTH_PORT/team/busybox:1.0" 2>&1) || fail "pull with credentials: $out"
assert_eq "$(tail -1 <<<"$out")" "$id" "authenticated pull"

echo "# bearer tokens: refused without credentials, granted with them"
out=$("$ORC" pull "127.0.0.1:$BEARER_PORT/bearer/busybox:1.0" 2>&1) && fail "bearer pull without credentials"
assert_contains "$out" "token: 127.0.0.1:$BEARER_PORT: HTTP 401" "the token server's refusal is reported"
printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}, "127.0.0.1:%s": {"auth": "%s"}}}' \
    "$AUTH_PORT" "$(printf tester:s3cret | base64)" "$TOKEN_PORT" "$(printf bearer:t0ken | base64)" \
    >"$XDG_RUNTIME_DIR/containers/auth.json"
expect_exit 125 "$ORC" pull "127.0.0.1:$BEARER_PORT/bearer/busybox:1.0"
assert_contains "$out" "token: 127.0.0.1:$BEARER_PORT: HTTP 401" "the token server refused the registry's credentials"
printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}, "127.0.0.1:%s": {"auth": "%s"}}}' \
    "$AUTH_PORT" "$(printf tester:s3cret | base64)" "$BEARER_PORT" "$(printf bearer:t0ken | base64)" \
    >"$XDG_RUNTIME_DIR/containers/auth.json"
out=$("$ORC" pull "127.0.0.1:$BEARER_PORT/bearer/busybox:1.0" 2>&1) || fail "bearer pull: $out"
assert_eq "$(tail -1 <<<"$out")" "$id" "pulled with a bearer token"

echo "# zstd and uncompressed layers"
for repo in zstd plain-tar; do
    out=$("$ORC" pull "127.0.0.1:$PORT/test/$repo:1.0" 2>&1) || fail "$repo pull: $out"
    [ "$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$PORT/test/$repo:1.0" | jq -r '.layers[0].mediaType')" != \
      "application/vnd.oci.image.layer.v1.tar+gzip" ] || fail "$repo was pushed gzip-compressed"
    assert_eq "$(tail -1 <<<"$out")" "$id" "$repo layers unpack to the same image (same diff_ids)"
done
apply_yaml zstd.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: zstd}
spec:
  restartPolicy: Never
  containers:
    - {name: c, image: "127.0.0.1:$PORT/test/zstd:1.0", command: ["echo", "zstd layers unpack"]}
YAML
wait_for_phase zstd Succeeded 30
assert_contains "$("$ORC" logs zstd)" "zstd layers unpack" "a pod from a zstd image ran"

echo "# TLS: verified; a registry's own CA from containers/certs.d, as podman"
TLS_PORT=$(free_port) T=$TEST_DIR/tls
mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -days 2 \
    -subj /CN=orc-test-ca >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$T/server.key" -out "$T/server.csr" \
    -subj /CN=127.0.0.2 >/dev/null 2>&1
printf 'subjectAltName = IP:127.0.0.2\n' >"$T/ext"
openssl x509 -req -in "$T/server.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
    -days 2 -extfile "$T/ext" -out "$T/server.crt" >/dev/null 2>&1 || fail "openssl: server cert"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "127.0.0.2:%s", tls: {certificate: %s, key: %s}}\n' \
    "$T/data" "$TLS_PORT" "$T/server.crt" "$T/server.key" >"$T/config.yml"
docker-registry serve "$T/config.yml" >"$T/log" 2>&1 &
on_cleanup "kill $!"
tls_up() { curl -sk -o /dev/null "https://127.0.0.2:$TLS_PORT/v2/"; }
wait_for 20 tls_up || fail "TLS registry did not start: $(cat "$T/log")"
skopeo copy --dest-tls-verify=false "oci:$B" "docker://127.0.0.2:$TLS_PORT/test/busybox:1.0" \
    >/dev/null 2>&1 || fail "push to the TLS registry"
out=$("$ORC" pull "127.0.0.2:$TLS_PORT/test/busybox:1.0" 2>&1) && fail "an unknown CA was trusted"
assert_contains "$out" "certificate" "the TLS failure is named"
mkdir -p "$XDG_CONFIG_HOME/containers/certs.d/127.0.0.2:$TLS_PORT"
cp "$T/ca.crt" "$XDG_CONFIG_HOME/containers/certs.d/127.0.0.2:$TLS_PORT/ca.crt"
out=$("$ORC" pull "127.0.0.2:$TLS_PORT/test/busybox:1.0" 2>&1) || fail "TLS pull with the CA: $out"
assert_eq "$(tail -1 <<<"$out")" "$id" "pulled over verified TLS"

echo "# a blob corrupted in the registry's storage is refused; nothing is installed"
mkdir -p "$TEST_DIR/extra" && echo "unique $RANDOM$RANDOM" >"$TEST_DIR/extra/marker"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/corrupt" localhost/corrupt:latest --add-layer "$TEST_DIR/extra" >/dev/null
push "$TEST_DIR/corrupt" "$PORT/test/corrupt:1.0"
top=$(jq -r '.layers[-1].digest' "$TEST_DIR/corrupt/blobs/sha256/$(jq -r '.manifests[0].digest' "$TEST_DIR/corrupt/index.json" | cut -d: -f2)")
data=$(find "$TEST_DIR/plain/data" -path "*/blobs/sha256/*/${top#sha256:}/data")
[ -f "$data" ] || fail "cannot find the blob in the registry's storage"
printf 'garbage' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
out=$("$ORC" pull "127.0.0.1:$PORT/test/corrupt:1.0" 2>&1) && fail "a corrupt blob was accepted"
assert_contains "$out" "blob $top" "the error names the blob"
! images_has test/corrupt || fail "a corrupt image was installed"
no_scratch || fail "a failed pull left scratch files"

echo "# the server stops in the middle of a pull; a later pull succeeds"
mkdir -p "$TEST_DIR/big" && head -c 6000000 /dev/urandom >"$TEST_DIR/big/blob"
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/bigimg" localhost/big:latest --add-layer "$TEST_DIR/big" >/dev/null
push "$TEST_DIR/bigimg" "$PORT/test/big:1.0"
python3 "$ORC_SOURCE_DIR/tests/e2e/slow-proxy.py" "$PROXY_PORT" "$PORT" 1000000 &
PROXY=$!
on_cleanup "kill $PROXY"
wait_for 10 registry_up "$PROXY_PORT" || fail "proxy did not start"
"$ORC" pull "127.0.0.1:$PROXY_PORT/test/big:1.0" >"$TEST_DIR/slow.out" 2>&1 &
PULL=$!
partial() { find "$XDG_DATA_HOME"/orc/storage/tmp-pull-* -type f -size +100k 2>/dev/null | grep -q .; }
wait_for 30 partial || fail "the slow pull never started writing"
kill "$PROXY"
rc=0; wait "$PULL" || rc=$?
assert_eq "$rc" 125 "the interrupted pull fails: $(cat "$TEST_DIR/slow.out")"
! images_has test/big || fail "an interrupted pull installed something"
wait_for 10 no_scratch || fail "an interrupted pull left scratch files"
python3 "$ORC_SOURCE_DIR/tests/e2e/slow-proxy.py" "$PROXY_PORT" "$PORT" 100000000 &
PROXY=$!
on_cleanup "kill $PROXY"
wait_for 10 registry_up "$PROXY_PORT" || fail "proxy did not restart"
out=$("$ORC" pull "127.0.0.1:$PROXY_PORT/test/big:1.0" 2>&1) || fail "retry after the interruption: $out"

echo "# unknown image and unreachable registry: clear reasons in describe"
apply_yaml bad.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: unknown-image}
spec:
  containers:
    - {name: c, image: "127.0.0.1:$PORT/test/nothere:1.0"}
---
apiVersion: v1
kind: Pod
metadata: {name: no-registry}
spec:
  containers:
    - {name: c, image: "127.0.0.1:$DEAD_PORT/test/busybox:1.0"}
YAML
backoff() { [ "$(pod_field "$1" '.status.containerStatuses[0].state.waiting.reason')" = ImagePullBackOff ]; }
wait_for 30 backoff unknown-image || fail "no ImagePullBackOff: $("$ORC" describe pod unknown-image)"
wait_for 30 backoff no-registry || fail "no ImagePullBackOff: $("$ORC" describe pod no-registry)"
assert_contains "$("$ORC" describe pod unknown-image)" "manifest unknown" "the registry's words"
assert_contains "$("$ORC" describe pod no-registry)" "onnect" "a connection failure is named"
assert_contains "$("$ORC" get pods)" "ImagePullBackOff" "kubectl's STATUS column"
"$ORC" delete pod unknown-image no-registry >/dev/null

echo "# inspect, a refused rmi of an image in use, prune keeps what pods use"
info=$("$ORC" image inspect "127.0.0.1:$PORT/test/busybox:1.0") || fail "inspect"
assert_eq "$(jq -r '.[0].Id' <<<"$info")" "$id" "inspect: Id"
jq -e --arg n "127.0.0.1:$PORT/test/busybox:1.0" '.[0].RepoTags | index($n)' <<<"$info" >/dev/null \
    || fail "inspect: RepoTags $info"
big_id=$("$ORC" image inspect "127.0.0.1:$PROXY_PORT/test/big:1.0" | jq -r '.[0].Id')
keep="127.0.0.1:$PORT/test/busybox:1.0"
for n in $(jq -r '.[0].RepoTags[]' <<<"$info"); do
    [ "$n" = "$keep" ] || "$ORC" rmi "$n" >/dev/null || fail "untagging $n (other names go even in use)"
done
out=$("$ORC" rmi "127.0.0.1:$PORT/test/busybox:1.0" 2>&1) && fail "removed the image a pod uses"
assert_contains "$out" "is in use by a pod" "rmi refuses"
out=$("$ORC" image prune) || fail "prune: $out"
assert_eq "$out" "$big_id" "prune removed exactly the unused image"
images_has test/busybox || fail "prune removed an image in use"
! images_has test/big || fail "the unused image is still listed"

echo "# registries.conf: short names through the search list, mirrors, blocked registries"
mkdir -p "$XDG_CONFIG_HOME/containers"
cat >"$XDG_CONFIG_HOME/containers/registries.conf" <<CONF
# as podman reads it
unqualified-search-registries = ["127.0.0.1:$AUTH_PORT", '127.0.0.1:$PORT']  # in order

[[registry]]
location = "127.0.0.1:$DEAD_PORT"
[[registry.mirror]]
location = "127.0.0.1:$PORT"

[[registry]]
prefix = "127.0.0.1:$AUTH_PORT/team"
location = "127.0.0.1:$AUTH_PORT/team"
blocked = true
CONF
stop_orcd
start_orcd
out=$("$ORC" pull test/busybox:1.0 2>&1) || fail "short name: $out"
assert_eq "$(tail -1 <<<"$out")" "$id" "the short name came from the second search registry"
assert_contains "$("$ORC" images)" "127.0.0.1:$PORT/test/busybox" "stored under the registry that had it"
out=$("$ORC" pull "127.0.0.1:$DEAD_PORT/test/busybox:1.0" 2>&1) || fail "mirror: $out"
assert_contains "$("$ORC" images)" "127.0.0.1:$DEAD_PORT/test/busybox" "named as asked, fetched from the mirror"
out=$("$ORC" pull "127.0.0.1:$AUTH_PORT/team/busybox:1.0" 2>&1) && fail "a blocked registry was used"
assert_contains "$out" "blocked in registries.conf" "blocked"
apply_yaml short.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: short-name}
spec:
  restartPolicy: Never
  containers:
    - {name: c, image: "test/busybox:1.0", command: ["echo", "short names work"]}
YAML
wait_for_phase short-name Succeeded 30
assert_contains "$("$ORC" logs short-name)" "short names work" "a pod with a short name ran"
out=$("$ORC" pull test/nothere:1.0 2>&1) && fail "pulled an image no registry has"
assert_contains "$out" "no unqualified-search registry has it" "the short-name failure names every try"

echo "# automatic image garbage collection above the disk threshold"
stop_orcd
start_orcd --image-gc-high-threshold 0 --image-gc-low-threshold 0
"$ORC" pull "127.0.0.1:$PORT/test/big:1.0" >/dev/null 2>&1 || fail "pull big again"
gone() { ! images_has test/big; }
wait_for 20 gone || fail "garbage collection left the unused image"
images_has test/busybox || fail "garbage collection removed an image in use"
# the line is logged just after the removal, on the job's thread
gc_logged() { grep -q "image garbage collection: removed sha256:$big_id" "$TEST_DIR/orcd.log"; }
wait_for 10 gc_logged || fail "garbage collection of sha256:$big_id was not logged"

echo "# a registry that drips two bytes a second: the pull gives up at its progress deadline"
stop_orcd
start_orcd --image-pull-progress-deadline 2s
DRIP_PORT=$(free_port)
python3 "$ORC_SOURCE_DIR/tests/e2e/slow-proxy.py" "$DRIP_PORT" "$PORT" 2 1 2>/dev/null &
DRIP=$!
on_cleanup "kill $DRIP"
wait_for 10 registry_up "$DRIP_PORT" || fail "dripping proxy did not start"
started=$SECONDS
expect_exit 125 timeout 90 "$ORC" pull "127.0.0.1:$DRIP_PORT/test/big:1.0"
assert_contains "$out" "no progress (less than 1024 bytes a second for 2 s" "the deadline is named"
[ $((SECONDS - started)) -lt 60 ] || fail "the dripping pull took $((SECONDS - started)) s"
kill "$DRIP"
wait_for 10 no_scratch || fail "the abandoned pull left scratch files"

echo "# offline: an implied Always uses the stored image; a written one, or an answer, does not"
OFF_PORT=$(free_port) # nothing listens there
"$ORC_SOURCE_DIR/tests/e2e/build-test-image.sh" "$TEST_DIR/offline" "127.0.0.1:$OFF_PORT/test/app:latest" >/dev/null
sed "s|127.0.0.1:$OFF_PORT/test/app|127.0.0.1:$PORT/test/notpushed|" "$TEST_DIR/offline/index.json" >"$TEST_DIR/i"
mkdir "$TEST_DIR/answered" && cp -r "$TEST_DIR/offline/." "$TEST_DIR/answered" && mv "$TEST_DIR/i" "$TEST_DIR/answered/index.json"
"$ORC" image load "$TEST_DIR/offline" >/dev/null || fail "load the offline image"
"$ORC" image load "$TEST_DIR/answered" >/dev/null || fail "load the image its registry does not have"
offline_pods() { # APPLY-NAME: implied, written, and implied from a registry that answers 404
    apply_yaml "$1.yaml" >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: implied}
spec:
  restartPolicy: Never
  containers: [{name: c, image: "127.0.0.1:$OFF_PORT/test/app", command: [echo, ran offline]}]
---
apiVersion: v1
kind: Pod
metadata: {name: written}
spec:
  restartPolicy: Never
  containers:
    - {name: c, image: "127.0.0.1:$OFF_PORT/test/app", imagePullPolicy: Always, command: [echo, x]}
---
apiVersion: v1
kind: Pod
metadata: {name: answered}
spec:
  restartPolicy: Never
  containers: [{name: c, image: "127.0.0.1:$PORT/test/notpushed", command: [echo, x]}]
YAML
}
offline_pods offline
wait_for_phase implied Succeeded 60
assert_contains "$("$ORC" logs implied)" "ran offline" "the stored image ran"
ev=$("$ORC" events --for pod/implied)
assert_contains "$ev" "UsingStoredImage" "a Warning event says so"
assert_contains "$ev" "the registry cannot be reached: using the stored image" "and why"
wait_for 60 backoff written || fail "a written Always used the stored image: $("$ORC" describe pod written)"
wait_for 60 backoff answered || fail "a registry's 404 was overridden: $("$ORC" describe pod answered)"
assert_contains "$("$ORC" describe pod answered)" "manifest unknown" "the registry's answer stands"
"$ORC" delete pod implied written answered >/dev/null
wait_for 30 pod_gone implied || fail "pods not deleted"
stop_orcd
start_orcd --strict-image-pull-policy
offline_pods strict
wait_for 60 backoff implied || fail "the strict setting used the stored image: $("$ORC" describe pod implied)"
"$ORC" delete pod implied written answered >/dev/null

echo "# short names through docker.io are its official images: /v2/library/NAME"
push "$B" "$PORT/library/busybox:1.0"
cat >"$XDG_CONFIG_HOME/containers/registries.conf" <<CONF
unqualified-search-registries = ["docker.io"]
[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "127.0.0.1:$PORT"
CONF
stop_orcd
start_orcd
out=$("$ORC" pull busybox:1.0 2>&1) || fail "a short name through docker.io: $out"
assert_eq "$(tail -1 <<<"$out")" "$id" "busybox:1.0 is docker.io/library/busybox:1.0"
assert_contains "$("$ORC" images)" "docker.io/library/busybox" "stored as the official image"

echo "# an invalid reference: a warning at apply, InvalidImageName, never pulled"
cat >"$TEST_DIR/invalid.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: invalid}
spec:
  containers: [{name: c, image: "<your-private-image>"}]
YAML
out=$("$ORC" apply -f "$TEST_DIR/invalid.yaml" 2>&1) || fail "apply: $out"
assert_contains "$out" "Warning: " "warned"
assert_contains "$out" "invalid reference format: the container will wait with InvalidImageName" "why"
invalid() { [ "$(pod_field invalid '.status.containerStatuses[0].state.waiting.reason')" = InvalidImageName ]; }
wait_for 30 invalid || fail "no InvalidImageName: $("$ORC" describe pod invalid)"
assert_contains "$("$ORC" get pods)" "InvalidImageName" "the STATUS column"
ev=$("$ORC" events --for pod/invalid) # the sync that decided would have pulled first
assert_contains "$ev" "couldn't parse image reference \"<your-private-image>\": invalid reference format" "kubelet's event"
assert_not_contains "$ev" "Pulling" "never pulled"
assert_not_contains "$ev" "BackOff" "nor retried"
echo "PASS: $TEST_NAME"
