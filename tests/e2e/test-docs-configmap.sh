#!/bin/bash
# The Kubernetes documentation's task "Configure a Pod to Use a ConfigMap"
# (docs/tasks/configure-pod-container/configure-pod-configmap) with the real kubectl, step by
# step as the page runs it, each output the page shows asserted (ages, uids, times and
# resourceVersions aside): ConfigMaps created by kubectl from a directory, files, env-files,
# a key of one's own, literals and a kustomize generator; then the pods that take them as
# environment variables (configMapKeyRef, envFrom, $(VAR) in the command); the page's
# volume sections are in test-docs-object-volumes.sh.
# Each section of the page begins from the ConfigMaps it creates (the page's sections reuse
# names; a reader running them one after the other would meet AlreadyExists, checked once).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

# The page downloads its files into configure-pod-container/configmap/ (the env-files when it
# comes to them) and runs kubectl there.
mkdir -p "$TEST_DIR/work/configure-pod-container/configmap"
cp "$DOCS"/configmap/{game,ui}.properties "$TEST_DIR/work/configure-pod-container/configmap/"
cd "$TEST_DIR/work"

# The page's text with blank lines dropped and runs of blanks squeezed, against as many
# non-blank lines of kubectl's output (describe adds blank lines and later sections), with
# the keys of the Data section in order: kubectl describe prints them in Go's map order,
# which changes from run to run.
assert_page() { # ACTUAL EXPECTED MESSAGE
    local want n
    want=$(grep -v '^ *$' <<<"$2" | tr -s ' ' | sort_data)
    n=$(wc -l <<<"$want")
    assert_eq "$(grep -v '^ *$' <<<"$1" | tr -s ' ' | head -n "$n" | sort_data)" "$want" "$3"
}
# describe's Data section (KEY:, ----, the value's lines) with its entries sorted by key
sort_data() {
    awk '
        /^(Data|BinaryData)$/ { flush(); sect = 1; print; next }
        sect && /^====$/ { print; next }
        sect && /^----$/ { next }
        sect && /^[^ ]+:$/ { n++; key[n] = $0; body[n] = ""; next }
        sect && n { body[n] = body[n] $0 "\n"; next }
        { print }
        function flush(  i, j, t) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                if (key[j] < key[i]) { t = key[i]; key[i] = key[j]; key[j] = t; t = body[i]; body[i] = body[j]; body[j] = t }
            for (i = 1; i <= n; i++) printf "%s\n----\n%s", key[i], body[i]
            n = 0
        }
        END { flush() }'
}
# The data: section of kubectl get -o yaml (kubectl prints it between apiVersion and kind).
yaml_data() { sed -n '/^data:/,/^[a-z]/p' <<<"$1" | sed '/^data:/!{/^[a-z]/d}'; }

game='enemies=aliens
lives=3
enemies.cheat=true
enemies.cheat.level=noGoodRotten
secret.code.passphrase=UUDDLRLRBABAS
secret.code.allowed=true
secret.code.lives=30'
ui='color.good=purple
color.bad=yellow
allow.textmode=true
how.nice.to.look=fairlyNice'

echo "# Create ConfigMaps from directories"
out=$(k create configmap game-config --from-file=configure-pod-container/configmap/)
assert_eq "$out" "configmap/game-config created" "create configmap from a directory"
assert_page "$(k describe configmaps game-config)" "Name:         game-config
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
game.properties:
----
$game
ui.properties:
----
$ui" "describe configmaps game-config"
assert_eq "$(yaml_data "$(k get configmaps game-config -o yaml)")" "data:
  game.properties: |
$(sed 's/^/    /' <<<"$game")
  ui.properties: |
$(sed 's/^/    /' <<<"$ui")" "get configmaps game-config -o yaml"

echo "# Create ConfigMaps from files"
out=$(k create configmap game-config-2 --from-file=configure-pod-container/configmap/game.properties)
assert_eq "$out" "configmap/game-config-2 created" "create configmap from a file"
assert_page "$(k describe configmaps game-config-2)" "Name:         game-config-2
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
game.properties:
----
$game" "describe configmaps game-config-2"
# the page creates game-config-2 again from two files: the name is taken
expect_exit 1 k create configmap game-config-2 --from-file=configure-pod-container/configmap/game.properties \
    --from-file=configure-pod-container/configmap/ui.properties
assert_eq "$out" 'error: failed to create configmap: configmaps "game-config-2" already exists' \
    "create configmap game-config-2 again"
k delete configmap game-config-2 >/dev/null
out=$(k create configmap game-config-2 --from-file=configure-pod-container/configmap/game.properties \
    --from-file=configure-pod-container/configmap/ui.properties)
assert_eq "$out" "configmap/game-config-2 created" "create configmap from two files"
assert_page "$(k describe configmaps game-config-2)" "Name:         game-config-2
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
game.properties:
----
$game
ui.properties:
----
$ui" "describe configmaps game-config-2 (two files)"

echo "# Create ConfigMaps from env-files"
cp "$DOCS"/configmap/{game,ui}-env-file.properties configure-pod-container/configmap/
out=$(k create configmap game-config-env-file \
    --from-env-file=configure-pod-container/configmap/game-env-file.properties)
assert_eq "$out" "configmap/game-config-env-file created" "create configmap --from-env-file"
assert_eq "$(yaml_data "$(k get configmap game-config-env-file -o yaml)")" "data:
  allowed: '\"true\"'
  enemies: aliens
  lives: \"3\"" "get configmap game-config-env-file -o yaml"
out=$(k create configmap config-multi-env-files \
    --from-env-file=configure-pod-container/configmap/game-env-file.properties \
    --from-env-file=configure-pod-container/configmap/ui-env-file.properties)
assert_eq "$out" "configmap/config-multi-env-files created" "create configmap from two env-files"
# The page's caution (only the last env-file is used) is older than kubectl 1.32, which
# merges them: the page's three keys are there, with the first file's.
assert_eq "$(yaml_data "$(k get configmap config-multi-env-files -o yaml)")" "data:
  allowed: '\"true\"'
  color: purple
  enemies: aliens
  how: fairlyNice
  lives: \"3\"
  textmode: \"true\"" "get configmap config-multi-env-files -o yaml"

echo "# Define the key to use when creating a ConfigMap from a file"
out=$(k create configmap game-config-3 --from-file=game-special-key=configure-pod-container/configmap/game.properties)
assert_eq "$out" "configmap/game-config-3 created" "create configmap with a key"
assert_eq "$(yaml_data "$(k get configmaps game-config-3 -o yaml)")" "data:
  game-special-key: |
$(sed 's/^/    /' <<<"$game")" "get configmaps game-config-3 -o yaml"

echo "# Create ConfigMaps from literal values"
out=$(k create configmap special-config --from-literal=special.how=very --from-literal=special.type=charm)
assert_eq "$out" "configmap/special-config created" "create configmap from literals"
assert_eq "$(yaml_data "$(k get configmaps special-config -o yaml)")" "data:
  special.how: very
  special.type: charm" "get configmaps special-config -o yaml"

echo "# Create a ConfigMap from generator"
cat >kustomization.yaml <<EOF
configMapGenerator:
- name: game-config-4
  files:
  - configure-pod-container/configmap/game.properties
EOF
out=$(k apply -k .)
# the page's suffix (m9dm2f92bt) came from an older kustomize's hash of the same content
name=$(k kustomize . | sed -n 's/^  name: //p')
assert_eq "$out" "configmap/$name created" "apply -k ."
assert_table "$(k get configmap "$name")" "NAME                       DATA   AGE
$name   1      37s" "get configmap $name"
# kubectl 1.32's describe leaves out kubectl's own last-applied annotation, which the page
# (an older kubectl) shows
assert_page "$(k describe "configmaps/$name")" "Name:         $name
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
game.properties:
----
$game" "describe configmaps/$name"
assert_contains "$(k get configmap "$name" -o jsonpath='{.metadata.annotations}')" \
    "kubectl.kubernetes.io/last-applied-configuration" "the last-applied annotation is stored"
rm kustomization.yaml

echo "# Define container environment variables using ConfigMap data"
k delete configmap special-config >/dev/null
out=$(k create configmap special-config --from-literal=special.how=very)
assert_eq "$out" "configmap/special-config created" "create special-config"
# runs POD-FILE (restartPolicy Never) to the end and prints its log
run_to_end() {
    out=$(kdocs create -f "$1")
    assert_eq "$out" "pod/dapi-test-pod created" "create -f $1"
    wait_for_phase dapi-test-pod Succeeded
    k logs dapi-test-pod
    k delete pod dapi-test-pod >/dev/null
    wait_for 30 pod_gone dapi-test-pod || fail "dapi-test-pod was not deleted"
}
out=$(run_to_end pods/pod-single-configmap-env-variable.yaml)
assert_contains "$out" "SPECIAL_LEVEL_KEY=very" "pod-single-configmap-env-variable: env"

k delete configmap special-config >/dev/null
out=$(kdocs create -f configmap/configmaps.yaml)
assert_eq "$out" "configmap/special-config created
configmap/env-config created" "create -f configmaps.yaml"
out=$(run_to_end pods/pod-multiple-configmap-env-variable.yaml)
assert_contains "$out" "SPECIAL_LEVEL_KEY=very" "pod-multiple-configmap-env-variable: SPECIAL_LEVEL_KEY"
assert_contains "$out" "LOG_LEVEL=INFO" "pod-multiple-configmap-env-variable: LOG_LEVEL"

echo "# Configure all key-value pairs in a ConfigMap as container environment variables"
k delete configmap special-config >/dev/null
out=$(kdocs create -f configmap/configmap-multikeys.yaml)
assert_eq "$out" "configmap/special-config created" "create -f configmap-multikeys.yaml"
out=$(run_to_end pods/pod-configmap-envFrom.yaml)
assert_contains "$out" "SPECIAL_LEVEL=very" "pod-configmap-envFrom: SPECIAL_LEVEL"
assert_contains "$out" "SPECIAL_TYPE=charm" "pod-configmap-envFrom: SPECIAL_TYPE"

echo "# Use ConfigMap-defined environment variables in Pod commands"
assert_eq "$(run_to_end pods/pod-configmap-env-var-valueFrom.yaml)" "very charm" \
    "pod-configmap-env-var-valueFrom: the command's output"

echo "PASS: $TEST_NAME"
