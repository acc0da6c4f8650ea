#!/bin/bash
# The Kubernetes documentation's examples that orc cannot run as their pages say, each with
# the precise error or warning orc gives for it (tests/e2e/README.md lists why), applied with
# the real kubectl as the pages apply them:
#   configure-pod-container/configure-pod-initialization (pods/init-containers.yaml)
#   configure-pod-container/attach-handler-lifecycle-event (pods/lifecycle-events.yaml)
#   configure-pod-container/configure-liveness-readiness-startup-probes
#     (pods/probe/exec-liveness.yaml)
#   concepts/storage/projected-volumes (pods/storage/projected-service-account-token.yaml)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

echo "# refused, nothing stored"
expect_exit 1 kdocs apply -f pods/init-containers.yaml
assert_eq "$out" 'The Pod "init-demo" is invalid: spec.initContainers: not supported yet by orc: refused rather than start the containers without running their init containers' \
    "init-containers.yaml"
expect_exit 1 kdocs apply -f pods/storage/projected-service-account-token.yaml
assert_eq "$out" 'The Pod "sa-token-test" is invalid: spec.volumes[0].projected.sources[0].serviceAccountToken: not supported by orc: orc has no service accounts and issues no tokens' \
    "projected-service-account-token.yaml"
assert_eq "$(k get pods -o name)" "" "no pod stored"

echo "# run without what the page shows, with a warning naming the field"
assert_eq "$(kdocs apply -f pods/lifecycle-events.yaml)" "Warning: spec.containers[0].lifecycle: not supported yet by orc, ignored
pod/lifecycle-demo created" "lifecycle-events.yaml"
assert_eq "$(kdocs apply -f pods/probe/exec-liveness.yaml)" "Warning: spec.containers[0].livenessProbe: not supported yet by orc, ignored
pod/liveness-exec created" "exec-liveness.yaml"
k delete pod lifecycle-demo liveness-exec --grace-period 0 >/dev/null
echo "PASS: $TEST_NAME"
