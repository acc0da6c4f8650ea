#!/bin/bash
# The Kubernetes documentation's task "Configure a Pod to Use a ConfigMap"
# (docs/tasks/configure-pod-container/configure-pod-configmap) with the real kubectl, step by
# step as the page runs it, each output the page shows asserted (ages, uids, times and
# resourceVersions aside): ConfigMaps created by kubectl from a directory, files, env-files,
# a key of one's own, literals and a kustomize generator; then the pods that take them as
# environment variables (configMapKeyRef, envFrom, $(VAR) in the command) and as volumes.
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
# non-blank lines of kubectl's output (describe adds blank lines and later sections).
assert_page() { # ACTUAL EXPECTED MESSAGE
    local want n
    want=$(grep -v '^ *$' <<<"$2" | tr -s ' ')
    n=$(wc -l <<<"$want")
    assert_eq "$(grep -v '^ *$' <<<"$1" | tr -s ' ' | head -n "$n")" "$want" "$3"
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
out=$(k describe "configmaps/$name")
assert_contains "$out" "Annotations:  kubectl.kubernetes.io/last-applied-configuration:" "describe: last-applied"
assert_contains "$out" "Data
====
game.properties:
----
$game" "describe configmaps/$name"
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
echo "PASS: $TEST_NAME"
