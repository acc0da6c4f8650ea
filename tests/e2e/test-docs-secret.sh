#!/bin/bash
# The Kubernetes documentation's Secret tasks with the real kubectl, as their pages run them,
# each output the page shows asserted (ages aside):
#   inject-data-application/distribute-credentials-secure (pods/inject/secret.yaml,
#     pod-single-secret-env-variable.yaml, pod-multiple-secret-env-variable.yaml,
#     pod-secret-envFrom.yaml; its volume section is in test-docs-object-volumes.sh)
#   the Secret types of secret/ (concepts/configuration/secret): each applied, its TYPE and
#   DATA as kubectl get shows them, and the placeholder certificate of tls-auth-secret.yaml
#   refused as the API server refuses bad base64
# The page's `kubectl exec -i -t POD -- CMD` run through docs_exec.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

echo "# Create a Secret"
out=$(kdocs apply -f pods/inject/secret.yaml)
assert_eq "$out" "secret/test-secret created" "apply secret.yaml"
assert_table "$(k get secret test-secret)" "NAME          TYPE      DATA      AGE
test-secret   Opaque    2         1m" "get secret test-secret"
# The page shows 13 and 7 bytes: its values once ended in a newline. The example's base64
# is 'my-app' and '39528\$vdg7Jb', 6 and 12 bytes, as Kubernetes counts them.
# kubectl prints the Data section in Go's map order, which changes from run to run: the two
# lines are compared sorted
described=$(k describe secret test-secret)
shown=$(grep -v '^ *$' <<<"$described" | tr -s ' ' | head -9)
assert_eq "$(head -7 <<<"$shown"; tail -n +8 <<<"$shown" | sort)" "Name: test-secret
Namespace: default
Labels: <none>
Annotations: <none>
Type: Opaque
Data
====
password: 12 bytes
username: 6 bytes" "describe secret test-secret"
assert_not_contains "$described" "my-app" "describe shows no value"

echo "# Create a Secret directly with kubectl"
k delete secret test-secret >/dev/null
out=$(k create secret generic test-secret --from-literal='username=my-app' --from-literal='password=39528$vdg7Jb')
assert_eq "$out" "secret/test-secret created" "create secret generic test-secret"
assert_eq "$(k get secret test-secret -o jsonpath='{.data.password}' | base64 -d)" '39528$vdg7Jb' \
    "the literal, stored as base64"

echo "# Define a container environment variable with data from a single Secret"
out=$(k create secret generic backend-user --from-literal=backend-username='backend-admin')
assert_eq "$out" "secret/backend-user created" "create secret generic backend-user"
out=$(kdocs create -f pods/inject/pod-single-secret-env-variable.yaml)
assert_eq "$out" "pod/env-single-secret created" "create pod-single-secret-env-variable.yaml"
wait_for_phase env-single-secret Running
assert_eq "$(docs_exec env-single-secret envars-test-container /bin/sh -c 'echo $SECRET_USERNAME')" \
    "backend-admin" "echo \$SECRET_USERNAME"

echo "# Define container environment variables with data from multiple Secrets"
out=$(k create secret generic db-user --from-literal=db-username='db-admin')
assert_eq "$out" "secret/db-user created" "create secret generic db-user"
out=$(kdocs create -f pods/inject/pod-multiple-secret-env-variable.yaml)
assert_eq "$out" "pod/envvars-multiple-secrets created" "create pod-multiple-secret-env-variable.yaml"
wait_for_phase envvars-multiple-secrets Running
assert_eq "$(docs_exec envvars-multiple-secrets envars-test-container /bin/sh -c 'env | grep _USERNAME' | sort)" \
    "BACKEND_USERNAME=backend-admin
DB_USERNAME=db-admin" "env | grep _USERNAME"

echo "# Configure all key-value pairs in a Secret as container environment variables"
out=$(kdocs create -f pods/inject/pod-secret-envFrom.yaml)
assert_eq "$out" "pod/envfrom-secret created" "create pod-secret-envFrom.yaml"
wait_for_phase envfrom-secret Running
out=$(docs_exec envfrom-secret envars-test-container /bin/sh -c 'echo "username: $username\npassword: $password\n"')
assert_eq "$(sed '/^$/d' <<<"$out")" 'username: my-app
password: 39528$vdg7Jb' "envFrom: username and password"

echo "# The Secret types of secret/"
cd "$DOCS"
for f in basicauth-secret dockercfg-secret ssh-auth-secret bootstrap-token-secret-literal; do
    out=$(kdocs apply -f "secret/$f.yaml") || fail "apply secret/$f.yaml: $out"
done
types() { k get secret "$@" --no-headers | awk '{ print $1, $2, $3 }'; }
assert_eq "$(types secret-basic-auth)" "secret-basic-auth kubernetes.io/basic-auth 2" "basic-auth"
assert_eq "$(types secret-dockercfg)" "secret-dockercfg kubernetes.io/dockercfg 1" "dockercfg"
assert_eq "$(types secret-ssh-auth)" "secret-ssh-auth kubernetes.io/ssh-auth 1" "ssh-auth"
assert_eq "$(types -n kube-system bootstrap-token-5emitj)" "bootstrap-token-5emitj bootstrap.kubernetes.io/token 6" \
    "bootstrap token (stringData)"
# orc runs no token controller, which fills such a Secret in a cluster: refused, saying so
expect_exit 1 kdocs apply -f secret/serviceaccount-token-secret.yaml
assert_eq "$out" 'The Secret "secret-sa-sample" is invalid: type: Unsupported value: "kubernetes.io/service-account-token": orc issues no service account tokens (it runs no token controller); keep a token in a Secret of type Opaque' \
    "serviceaccount-token-secret.yaml refused"
expect_exit 1 kdocs apply -f secret/tls-auth-secret.yaml
assert_contains "$out" "illegal base64 data at input byte 7" "tls-auth-secret.yaml's placeholder"
echo "PASS: $TEST_NAME"
