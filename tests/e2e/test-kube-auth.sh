#!/bin/bash
# kubectl reaches orcd on loopback TCP with TLS through the kubeconfig 'orc kubeconfig' writes
# (mode 0600, the CA pinned, merged into a file with other contexts), and nothing else does:
# another local user (a real other uid: this user's first subordinate one, as in
# test-hostile-neighbour.sh, on the host's network) gets 401 without a credential, with a
# wrong token, with a client certificate of another CA, on every path and for an upgrade;
# when that user holds the port first, orcd refuses to start and says so, and kubectl
# refuses the squatter's server (certificate signed by unknown authority) before sending
# anything.
source "$(dirname "$0")/lib.sh"
setup
for tool in kubectl curl openssl python3; do
    command -v "$tool" >/dev/null || skip "$tool missing"
done
unshare --user --map-auto --map-root-user true 2>/dev/null \
    || skip "unshare --map-auto (util-linux 2.38 and newuidmap) does not work here"
export KUBECACHEDIR=$TEST_DIR/kube-cache
unset KUBECONFIG
N=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
PORT=$SECURE_PORT
URL=https://127.0.0.1:$PORT

# "${AS_OTHER[@]}" CMD...: CMD as uid 1 of a user namespace, a real other uid on the host
# (unshare execs CMD: $! of a background one is CMD's pid)
AS_OTHER=(unshare --user --map-auto --map-root-user --setuid 1 --setgid 1)
as_other() { "${AS_OTHER[@]}" "$@"; }
OTHER_PIDS=()
on_cleanup 'kill -9 "${OTHER_PIDS[@]}"'
# what the other user has: a directory of its own it can read
OTHER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/orc-e2e-other.XXXXXX")
on_cleanup "rm -rf '$OTHER_DIR'"
chmod 0777 "$OTHER_DIR"

echo "# the agent makes its credentials, private"
start_orcd
CFG=$XDG_CONFIG_HOME/orc
PKI=$CFG/pki
assert_eq "$(stat -c %a "$PKI")" 700 "mode of $PKI"
for f in ca.crt ca.key apiserver.crt apiserver.key client.crt client.key; do
    assert_eq "$(stat -c %a "$PKI/$f")" 600 "mode of $f"
done
assert_eq "$(stat -c %a "$CFG/token")" 600 "mode of the token"
[[ "$(cat "$CFG/token")" =~ ^[0-9a-f]{64}$ ]] || fail "the token is not 64 hex digits"
openssl verify -CAfile "$PKI/ca.crt" "$PKI/apiserver.crt" "$PKI/client.crt" >/dev/null \
    || fail "the certificates do not verify against the CA"
san=$(openssl x509 -in "$PKI/apiserver.crt" -noout -ext subjectAltName)
assert_contains "$san" "IP Address:127.0.0.1" "the server certificate's addresses"
assert_contains "$san" "DNS:localhost" "the server certificate's names"
subject=$(openssl x509 -in "$PKI/client.crt" -noout -subject)
assert_contains "$subject" "CN = $(id -un)" "the client certificate's subject"
assert_contains "$subject" "O = orc:users" "the client certificate's subject"
assert_contains "$(grep 'ready: API' "$TEST_DIR/orcd.log")" "and $URL" "orcd names its TCP listener"
ok "pki/ is 0700, every key, certificate and the token 0600; the chain verifies"

echo "# orc kubeconfig writes a new file"
K=$TEST_DIR/kube/config
expect_exit 0 "$ORC" kubeconfig --kubeconfig "$K"
assert_contains "$out" "\"orc\" ($URL) written to $K" "orc kubeconfig's report"
assert_contains "$out" 'Switched to context "orc".' "a file without a current context"
assert_eq "$(stat -c %a "$TEST_DIR/kube") $(stat -c %a "$K")" "700 600" "modes of the directory and file"
kc=$(cat "$K")
assert_contains "$kc" "certificate-authority-data: " "the kubeconfig pins the CA"
assert_contains "$kc" "client-certificate-data: " "and holds the client certificate"
assert_contains "$kc" "server: $URL" "and the server"
assert_not_contains "$kc" "insecure-skip-tls-verify" "the kubeconfig"
assert_not_contains "$kc" "$(cat "$CFG/token")" "the kubeconfig (no token)"
ok "the kubeconfig: 0600 in a 0700 directory, the CA pinned, a client certificate, no token"

echo "# kubectl with it"
kubectl --kubeconfig "$K" config current-context | grep -qx orc || fail "current context"
v=$(kubectl --kubeconfig "$K" get --raw /version) || fail "kubectl get --raw /version: $v"
assert_eq "$(jq -r .gitVersion <<<"$v")" "v1.32.0-orc.$("$ORCD" --version | awk '{print $3}')" "the server's version"
v=$(kubectl --kubeconfig "$K" version -o json 2>/dev/null) || true
assert_eq "$(jq -r .serverVersion.gitVersion <<<"$v")" "$(jq -r .gitVersion <<<"$(kubectl --kubeconfig "$K" get --raw /version)")" \
    "kubectl version's server version"
apply_yaml pod.yaml <<'EOF' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: seen-by-kubectl}
spec:
  containers: [{name: c, image: localhost/none, imagePullPolicy: Never}]
EOF
list=$(kubectl --kubeconfig "$K" get --raw /api/v1/namespaces/default/pods)
assert_eq "$(jq -r '.kind + " " + (.items | map(.metadata.name) | join(","))' <<<"$list")" \
    "PodList seen-by-kubectl" "kubectl's pod list"
pod=$(kubectl --kubeconfig "$K" get --raw /api/v1/namespaces/default/pods/seen-by-kubectl)
assert_eq "$(jq -r .metadata.name <<<"$pod")" seen-by-kubectl "kubectl's pod"
ok "kubectl version, get --raw /version, the pod list and a pod, over TLS with the client certificate"

echo "# merged into kubeconfigs with other contexts"
K2=$TEST_DIR/k2
cat >"$K2" <<'EOF'
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
users:
- name: lab
  user: {token: "0123"}
contexts:
- name: lab
  context: {cluster: lab, user: lab, namespace: dev}
current-context: lab
EOF
chmod 0644 "$K2"
expect_exit 0 "$ORC" kubeconfig --kubeconfig "$K2"
assert_contains "$out" 'The current context stays "lab"' "a current context is kept"
assert_eq "$(stat -c %a "$K2")" 600 "mode of a merged file"
assert_eq "$(kubectl --kubeconfig "$K2" config get-contexts -o name | sort | tr '\n' ' ')" "lab orc " \
    "contexts after the merge"
assert_eq "$(kubectl --kubeconfig "$K2" config view --raw -o jsonpath='{.current-context} {.contexts[?(@.name=="lab")].context.namespace} {.clusters[?(@.name=="lab")].cluster.insecure-skip-tls-verify} {.users[?(@.name=="lab")].user.token}')" \
    "lab dev true 0123" "the other context, cluster and user"
kubectl --kubeconfig "$K2" --context orc get --raw /version >/dev/null || fail "kubectl --context orc"
cp "$K2" "$TEST_DIR/k2.before"
expect_exit 0 "$ORC" kubeconfig --kubeconfig "$K2"
cmp -s "$K2" "$TEST_DIR/k2.before" || fail "a second merge changed the file: $(diff "$TEST_DIR/k2.before" "$K2")"
expect_exit 0 "$ORC" kubeconfig --kubeconfig "$K2" --set-current
assert_contains "$out" 'Switched to context "orc".' "--set-current"
kubectl --kubeconfig "$K2" get --raw /healthz >/dev/null || fail "kubectl with orc current"
ok "merged: lab kept with its values, current context kept, the same twice; --set-current switches"
KUBECONFIG=$TEST_DIR/ka:$TEST_DIR/kb expect_exit 0 "$ORC" kubeconfig
[ ! -e "$TEST_DIR/ka" ] && [ -f "$TEST_DIR/kb" ] || fail "KUBECONFIG with no file: not the last path"
touch "$TEST_DIR/ka"
KUBECONFIG=$TEST_DIR/ka:$TEST_DIR/kb expect_exit 0 "$ORC" kubeconfig
grep -q "name: orc" "$TEST_DIR/ka" || fail "KUBECONFIG: the first file that exists was not written"
ok "KUBECONFIG: the first file that exists, else the last, as kubectl"
echo "garbage: [" >"$TEST_DIR/bad"
expect_exit 1 "$ORC" kubeconfig --kubeconfig "$TEST_DIR/bad"
assert_contains "$out" "not changing '$TEST_DIR/bad': '$TEST_DIR/bad' is not valid YAML" "a broken kubeconfig"
assert_eq "$(cat "$TEST_DIR/bad")" "garbage: [" "a broken kubeconfig is left alone"
ok "a kubeconfig that does not parse is left alone: $out"

echo "# credentials that work, for comparison"
code() { curl -s -o "$TEST_DIR/body" -w '%{http_code}' "$@" || true; }
assert_eq "$(code --cacert "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key" "$URL/healthz")" 200 \
    "curl with the client certificate"
assert_eq "$(code --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(cat "$CFG/token")" "$URL/version")" 200 \
    "curl with the bearer token"
assert_eq "$(code --cacert "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key" "$URL/apis/orc.dev/v1/kubeconfig")" 404 \
    "the kubeconfig over TCP"
assert_eq "$(code --cacert "$PKI/ca.crt" --cert "$PKI/apiserver.crt" --key "$PKI/apiserver.key" "$URL/version")" 401 \
    "the server's own certificate as a client's"
ok "the client certificate and the token are accepted; the kubeconfig is served on the socket only; a server certificate is no client's"

echo "# another local user"
as_other touch "$OTHER_DIR/owner"
OTHER=$(stat -c %u "$OTHER_DIR/owner")
[ "$OTHER" != "$(id -u)" ] || fail "the other user is this user"
(cd "$OTHER_DIR" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
        -subj "/O=orc/CN=orc-ca@$(id -un)" -days 2 &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -out client.csr \
        -subj "/O=orc:users/CN=$(id -un)" &&
    printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >ext &&
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt \
        -days 1 -extfile ext &&
    chmod 0644 ca.key ca.crt client.key client.crt) >/dev/null 2>&1 || fail "could not make the other user's certificates"
# refused DESCRIPTION CURL-ARGS...: as the other user, 401 and kube-apiserver's Status on every path
refused() {
    local what=$1 path c body
    shift
    for path in /version /api /api/v1 /apis /api/v1/pods /api/v1/namespaces/default/pods \
        /api/v1/namespaces/default/pods/seen-by-kubectl /healthz /livez /readyz /healthz/ping \
        /openapi/v2 /openapi/v3 /openapi/v3/api/v1 /apis/orc.dev/v1/images /apis/orc.dev/v1/kubeconfig \
        /no/such/path; do
        c=$(as_other curl -sk -o "$OTHER_DIR/body" -w '%{http_code}' "$@" "$URL$path" || true)
        assert_eq "$c" 401 "$what, GET $path"
    done
    body=$(cat "$OTHER_DIR/body")
    assert_eq "$(jq -c '[.kind, .status, .reason, .message, .code]' <<<"$body")" \
        '["Status","Failure","Unauthorized","Unauthorized",401]' "$what: the body"
    c=$(as_other curl -sk -o /dev/null -w '%{http_code}' "$@" -X POST --data-binary @/etc/services \
        "$URL/apis/orc.dev/v1/apply?filename=x.yaml" || true)
    assert_eq "$c" 401 "$what, POST apply"
    c=$(as_other curl -sk -o /dev/null -w '%{http_code}' "$@" -X POST -H 'Connection: Upgrade' \
        -H 'Upgrade: SPDY/3.1' "$URL/api/v1/namespaces/default/pods/seen-by-kubectl/exec?command=sh" || true)
    assert_eq "$c" 401 "$what, an upgrade to SPDY/3.1"
    c=$(as_other curl -sk -o /dev/null -w '%{http_code}' "$@" -H 'Connection: Upgrade' \
        -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
        "$URL/api/v1/namespaces/default/pods?watch=true" || true)
    assert_eq "$c" 401 "$what, an upgrade to websocket"
    ok "uid $OTHER, $what: 401 Unauthorized on every path, a POST and two upgrades"
}
refused "no credential"
refused "a wrong token" -H "Authorization: Bearer $(printf '0%.0s' $(seq 64))"
refused "a token of the wrong form" -H "Authorization: Bearer x"
refused "basic authentication" -u "$(id -un):secret"
refused "a client certificate of another CA" --cert "$OTHER_DIR/client.crt" --key "$OTHER_DIR/client.key"
kubectl --kubeconfig "$K" get --raw /version >/dev/null || fail "the agent stopped answering kubectl"
ok "the agent still serves kubectl"

echo "# the other user holds the port first"
"$ORC" delete pod seen-by-kubectl --grace-period 0 >/dev/null || fail "delete the pod"
stop_orcd # with no pod, its namespace holder stops too: a refused agent must not make one
[ ! -e "$XDG_RUNTIME_DIR/orc/userns.json" ] || fail "the holder outlived an agent without pods"
listening() { grep -qi "^ *[0-9]*: 0100007F:$(printf %04X "$1") [0-9A-F]*:[0-9A-F]* 0A" /proc/net/tcp; }
"${AS_OTHER[@]}" python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(3600)' "$PORT" \
    </dev/null >/dev/null 2>&1 &
SQUATTER=$!
OTHER_PIDS+=("$SQUATTER")
wait_for 10 listening "$PORT" || fail "the other user's listener did not start"
expect_exit 1 timeout 20 "$ORCD" --secure-port "$PORT"
assert_contains "$out" "cannot serve the API on 127.0.0.1:$PORT: the port is held by uid $OTHER" "orcd and a squatted port"
assert_contains "$out" "another user" "the message says whose"
assert_contains "$out" "choose another one with --secure-port PORT" "and the remedy"
[ ! -e "$XDG_RUNTIME_DIR/orc/orcd.sock" ] && [ ! -e "$XDG_RUNTIME_DIR/orc/userns.json" ] \
    || fail "a refused orcd started its socket or its namespace"
ok "orcd refuses the port uid $OTHER holds, before anything starts: $(grep -o 'cannot serve.*' <<<"$out")"
kill -9 "$SQUATTER"
wait "$SQUATTER" 2>/dev/null || true
port_free() { ! listening "$PORT"; }
wait_for 10 port_free || fail "the squatter's port stayed"

echo "# a squatter's TLS server"
(cd "$OTHER_DIR" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout srv.key -out srv.crt -subj "/CN=orc-apiserver" -days 1 \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" && chmod 0644 srv.key srv.crt) \
    >/dev/null 2>&1 || fail "could not make the squatter's certificate"
cat >"$OTHER_DIR/squat.py" <<'EOF'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2] + "/srv.crt", sys.argv[2] + "/srv.key")
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
log = open(sys.argv[2] + "/squat.log", "a", buffering=1)
log.write("listening\n")
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        t = ctx.wrap_socket(c, server_side=True)
        log.write("handshake\n")
        log.write("bytes %d\n" % len(t.recv(65536)))
    except Exception as e:
        log.write("refused: %s\n" % e)
    c.close()
EOF
: >"$OTHER_DIR/squat.log"
chmod 0666 "$OTHER_DIR/squat.log"
"${AS_OTHER[@]}" python3 "$OTHER_DIR/squat.py" "$PORT" "$OTHER_DIR" </dev/null >/dev/null 2>&1 &
OTHER_PIDS+=($!)
wait_for 10 grep -q listening "$OTHER_DIR/squat.log" || fail "the squatter's TLS server did not start"
expect_exit 1 kubectl --kubeconfig "$K" get --raw /version
assert_contains "$out" "certificate signed by unknown authority" "kubectl and the squatter's server"
refusal=$(grep -o 'certificate signed by unknown authority' <<<"$out" | head -1)
expect_exit 60 curl -s --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(cat "$CFG/token")" "$URL/version"
two_refusals() { [ "$(grep -c refused "$OTHER_DIR/squat.log")" -ge 2 ]; }
wait_for 10 two_refusals || fail "the squatter saw no refused handshakes: $(cat "$OTHER_DIR/squat.log")"
assert_not_contains "$(cat "$OTHER_DIR/squat.log")" "bytes" "the squatter's log"
ok "kubectl refuses the squatter's server ($refusal); it got no request, no token"

echo "# another port, chosen by the user"
PORT2=$(free_port)
start_orcd --secure-port "$PORT2"
expect_exit 0 "$ORC" kubeconfig --kubeconfig "$K"
kubectl --kubeconfig "$K" get --raw /version >/dev/null || fail "kubectl after moving to port $PORT2"
assert_contains "$(cat "$K")" "server: https://127.0.0.1:$PORT2" "the kubeconfig's new server"
stop_orcd
start_orcd --secure-port 0
expect_exit 1 "$ORC" kubeconfig --kubeconfig "$K"
assert_contains "$out" "orcd serves no TCP port (it was started with --secure-port 0)" "orc kubeconfig without a TCP port"
expect_exit 1 "$ORCD" --secure-port 70000
assert_contains "$out" "--secure-port: '70000' is not a port" "a port out of range"
ok "--secure-port PORT moves the listener (orc kubeconfig follows), 0 removes it"

echo "1..$N"
echo "PASS: $TEST_NAME"
