#!/bin/bash
# The Kubernetes documentation's Secret tasks with the real kubectl, as their pages run them,
# each output the page shows asserted (ages aside):
#   inject-data-application/distribute-credentials-secure (pods/inject/secret.yaml,
#     secret-pod.yaml, pod-single-secret-env-variable.yaml,
#     pod-multiple-secret-env-variable.yaml, pod-secret-envFrom.yaml)
#   configure-pod-container/configure-projected-volume-storage (pods/storage/projected.yaml)
#   the Secret types of secret/ (concepts/configuration/secret): each applied, its TYPE and
#   DATA as kubectl get shows them, a dotfile in a secret volume, and the placeholder
#   certificate of tls-auth-secret.yaml refused as the API server refuses bad base64
# The pages' `kubectl exec -i -t POD -- CMD` run through docs_exec; `ls` without a terminal
# prints a name a line where the pages' terminal shows columns: compared joined.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

joined() { tr '\n' ' ' | sed 's/ *$//'; }

echo "# Create a Secret"
out=$(kdocs apply -f pods/inject/secret.yaml)
assert_eq "$out" "secret/test-secret created" "apply secret.yaml"
assert_table "$(k get secret test-secret)" "NAME          TYPE      DATA      AGE
test-secret   Opaque    2         1m" "get secret test-secret"
# The page shows 13 and 7 bytes: its values once ended in a newline. The example's base64
# is 'my-app' and '39528\$vdg7Jb', 6 and 12 bytes, as Kubernetes counts them.
described=$(k describe secret test-secret)
assert_eq "$(grep -v '^ *$' <<<"$described" | tr -s ' ' | head -9)" "Name: test-secret
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
echo "# The Secret types of secret/"
cd "$DOCS"
for f in basicauth-secret dockercfg-secret ssh-auth-secret bootstrap-token-secret-literal \
    serviceaccount-token-secret; do
    out=$(kdocs apply -f "secret/$f.yaml") || fail "apply secret/$f.yaml: $out"
done
types() { k get secret "$@" --no-headers | awk '{ print $1, $2, $3 }'; }
assert_eq "$(types secret-basic-auth)" "secret-basic-auth kubernetes.io/basic-auth 2" "basic-auth"
assert_eq "$(types secret-dockercfg)" "secret-dockercfg kubernetes.io/dockercfg 1" "dockercfg"
assert_eq "$(types secret-ssh-auth)" "secret-ssh-auth kubernetes.io/ssh-auth 1" "ssh-auth"
assert_eq "$(types -n kube-system bootstrap-token-5emitj)" "bootstrap-token-5emitj bootstrap.kubernetes.io/token 6" \
    "bootstrap token (stringData)"
# no token controller: the token Secret is stored as given (a cluster's controller adds a token)
assert_eq "$(types secret-sa-sample)" "secret-sa-sample kubernetes.io/service-account-token 1" \
    "service-account-token"
expect_exit 1 kdocs apply -f secret/tls-auth-secret.yaml
assert_contains "$out" "illegal base64 data at input byte 7" "tls-auth-secret.yaml's placeholder"
assert_eq "$(kdocs apply -f secret/dotfile-secret.yaml)" "secret/dotfile-secret created
pod/secret-dotfiles-pod created" "apply dotfile-secret.yaml"
wait_for_phase secret-dotfiles-pod Succeeded
# the file is hidden: ls -l shows nothing
assert_eq "$(k logs secret-dotfiles-pod)" "total 0" "ls -l /etc/secret-volume"
echo "PASS: $TEST_NAME"
