#!/bin/bash
# The Kubernetes documentation's task "Configure a Security Context for a Pod or Container"
# (docs/tasks/configure-pod-container/security-context) with the real kubectl, as the page
# runs it, each output the page shows asserted (dates, sizes and process times aside): the
# `ps`, `ls -l` and `id` of pods/security/security-context.yaml, the user of
# security-context-2.yaml's processes, the capability sets of security-context-3.yaml and
# -4.yaml, the image's implicit group of security-context-5.yaml and its removal by
# supplementalGroupsPolicy Strict (security-context-6.yaml). The page's shell commands
# (`kubectl exec -it POD -- sh`, then commands) run through docs_exec.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

fields() { awk "{ print $1 }"; } # fields '$1, $3' <<<TEXT
strip_names() { sed 's/([^)]*)//g'; }

echo "# Set the security context for a Pod"
assert_eq "$(kdocs apply -f pods/security/security-context.yaml)" "pod/security-context-demo created" \
    "apply security-context.yaml"
wait_for_phase security-context-demo Running
assert_table "$(k get pod security-context-demo)" "NAME                    READY   STATUS    RESTARTS   AGE
security-context-demo   1/1     Running   0          5s" "get pod security-context-demo"
out=$(docs_exec security-context-demo sec-ctx-demo ps)
# busybox's ps here has no TIME column: PID USER COMMAND
assert_eq "$(awk '$1 == 1 { print $2, $3, $4 }' <<<"$out")" "1000 sleep 1h" "ps: sleep 1h runs as 1000"
assert_eq "$(awk 'NR > 1 { print $2 }' <<<"$out" | sort -u)" 1000 "ps: every process runs as 1000"
out=$(docs_exec security-context-demo sec-ctx-demo ls -l /data)
assert_eq "$(grep demo <<<"$out" | fields '$1, $3, $4, $NF')" "drwxrwsrwx root 2000 demo" \
    "ls -l /data: demo has fsGroup 2000, setgid"
out=$(docs_exec security-context-demo sec-ctx-demo sh -c 'cd /data/demo && echo hello > testfile && ls -l')
assert_eq "$(grep testfile <<<"$out" | fields '$1, $3, $4, $5, $NF')" "-rw-r--r-- 1000 2000 6 testfile" \
    "ls -l /data/demo: testfile of 1000 and group 2000"
assert_eq "$(docs_exec security-context-demo sec-ctx-demo id)" "uid=1000 gid=3000 groups=2000,3000,4000" "id"
k delete pod security-context-demo --grace-period 1 >/dev/null # sleep, as PID 1, ignores SIGTERM
wait_for 30 pod_gone security-context-demo || fail "security-context-demo was not deleted"

echo "# Set the security context for a Container"
assert_eq "$(kdocs apply -f pods/security/security-context-2.yaml)" "pod/security-context-demo-2 created" \
    "apply security-context-2.yaml"
wait_for_phase security-context-demo-2 Running
out=$(docs_exec security-context-demo-2 sec-ctx-demo-2 ps aux)
assert_eq "$(awk 'NR > 1 { print $2 }' <<<"$out" | sort -u)" 2000 \
    "ps aux: the container's runAsUser 2000 wins over the pod's 1000"

echo "# Set capabilities for a Container"
assert_eq "$(kdocs apply -f pods/security/security-context-3.yaml)" "pod/security-context-demo-3 created" \
    "apply security-context-3.yaml"
assert_eq "$(kdocs apply -f pods/security/security-context-4.yaml)" "pod/security-context-demo-4 created" \
    "apply security-context-4.yaml"
wait_for_phase security-context-demo-3 Running
wait_for_phase security-context-demo-4 Running
out=$(docs_exec security-context-demo-3 sec-ctx-3 sh -c 'cd /proc/1 && cat status')
assert_contains "$out" "CapPrm:	00000000a80425fb
CapEff:	00000000a80425fb" "the default capabilities"
out=$(docs_exec security-context-demo-4 sec-ctx-4 sh -c 'cd /proc/1 && cat status')
assert_contains "$out" "CapPrm:	00000000aa0435fb
CapEff:	00000000aa0435fb" "NET_ADMIN and SYS_TIME added"

echo "# Implicit group memberships defined in /etc/group in the container image"
assert_eq "$(kdocs apply -f pods/security/security-context-5.yaml)" "pod/security-context-demo created" \
    "apply security-context-5.yaml"
wait_for_phase security-context-demo Running
# the page's id shows numbers; the image's files name 1000 and 50000, which id prints
assert_eq "$(docs_exec security-context-demo sec-ctx-demo id | strip_names)" "uid=1000 gid=3000 groups=3000,4000,50000" \
    "id: the image's group 50000 merged"
assert_contains "$(docs_exec security-context-demo sec-ctx-demo cat /etc/group)" "user-defined-in-image:x:1000:
group-defined-in-image:x:50000:user-defined-in-image" "cat /etc/group"
k delete pod security-context-demo --grace-period 1 >/dev/null # sleep, as PID 1, ignores SIGTERM
wait_for 30 pod_gone security-context-demo || fail "security-context-demo was not deleted"

echo "# Configure fine-grained SupplementalGroups control for a Pod"
assert_eq "$(kdocs apply -f pods/security/security-context-6.yaml)" "pod/security-context-demo created" \
    "apply security-context-6.yaml"
wait_for_phase security-context-demo Running
assert_eq "$(docs_exec security-context-demo sec-ctx-demo id | strip_names)" "uid=1000 gid=3000 groups=3000,4000" \
    "id: Strict leaves out the image's groups"
# The page also reads status.containerStatuses[].user.linux, which kubelet 1.32 reports only
# behind its alpha SupplementalGroupsPolicy gate; orc (the 1.32 API) does not report it.
echo "PASS: $TEST_NAME"
