#!/bin/bash
# Pod-level fields: the hostname and domain (spec.hostname, subdomain) in the UTS namespace,
# /etc/hostname, $HOSTNAME and /etc/hosts with hostAliases as kubelet writes it; resolv.conf
# after dnsPolicy and dnsConfig, with kubelet's MissingClusterDNS warning for ClusterFirst;
# shareProcessNamespace (the pause process is PID 1 and each container sees the others'),
# hostNetwork (the host's network, name, hosts file and resolver) and hostIPC (its /dev/shm);
# nodeSelector and required node affinity against the node's labels (Pending when they miss);
# activeDeadlineSeconds (killed and Failed, DeadlineExceeded).
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image

apply_yaml host.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: host}
spec:
  restartPolicy: Never
  hostname: db-0
  subdomain: db
  hostAliases:
    - ip: 127.0.0.1
      hostnames: [foo.local, bar.local]
    - ip: 10.1.2.3
      hostnames: [foo.remote, bar.remote]
  dnsConfig:
    searches: [extra.example]
    options: [{name: ndots, value: "3"}]
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo uts=$(hostname) file=$(cat /etc/hostname) env=$HOSTNAME; cat /etc/hosts; echo ---; cat /etc/resolv.conf"]
---
apiVersion: v1
kind: Pod
metadata: {name: dns-example}
spec:
  restartPolicy: Never
  dnsPolicy: "None"
  dnsConfig:
    nameservers:
      - 192.0.2.1
    searches:
      - ns1.svc.cluster-domain.example
      - my.dns.search.suffix
    options:
      - name: ndots
        value: "2"
      - name: edns0
  containers:
    - name: test
      image: localhost/busybox:latest
      command: ["cat", "/etc/resolv.conf"]
YAML
wait_for_phase host Succeeded 30
logs=$("$ORC" logs host)
ip=$(pod_field host .status.podIP)
assert_contains "$logs" "uts=db-0 file=db-0 env=db-0" "the hostname is spec.hostname everywhere"
hosts=$(sed -n '/^# Kubernetes-managed/,/^---$/p' <<<"$logs")
assert_eq "$hosts" "# Kubernetes-managed hosts file.
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
fe00::0	ip6-mcastprefix
fe00::1	ip6-allnodes
fe00::2	ip6-allrouters
$ip	db-0.db.default.svc.cluster.local	db-0

# Entries added by HostAliases.
127.0.0.1	foo.local	bar.local
10.1.2.3	foo.remote	bar.remote
---" "/etc/hosts as kubelet writes it"
resolv=$(sed -n '/^---$/,$p' <<<"$logs")
assert_contains "$resolv" "nameserver 10.0.2.3" "ClusterFirst falls back to Default: the pod network's resolver"
assert_contains "$resolv" "search" "a search line"
grep -q '^search .*extra.example$' <<<"$resolv" || fail "dnsConfig's search domain appended last: $resolv"
grep -q '^options .*ndots:3' <<<"$resolv" || fail "dnsConfig's option: $resolv"
events=$("$ORC" events --for pod/host)
assert_contains "$events" "MissingClusterDNS" "kubelet's warning that there is no cluster DNS"
assert_contains "$events" "kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy." "in kubelet's words"
assert_eq "$(pod_field host .spec.hostname)/$(pod_field host .spec.subdomain)/$(pod_field host '.spec.hostAliases[1].hostnames[1]')" \
    "db-0/db/bar.remote" "the fields are stored"

wait_for_phase dns-example Succeeded 30
assert_eq "$("$ORC" logs dns-example)" "nameserver 192.0.2.1
search ns1.svc.cluster-domain.example my.dns.search.suffix
options ndots:2 edns0" "dnsPolicy None: only dnsConfig (the docs' custom DNS example)"
assert_not_contains "$("$ORC" events --for pod/dns-example)" "MissingClusterDNS" "None asks for no cluster DNS"
assert_eq "$(pod_field dns-example .spec.dnsPolicy)" "None" "dnsPolicy stored"

expect_exit 1 "$ORC" apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  dnsPolicy: None
  containers: [{name: c, image: localhost/busybox:latest}]
YAML
assert_contains "$out" 'spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None' "None needs dnsConfig"

port=$(free_port)
shm=orc-e2e-$$-$RANDOM
echo marker >"/dev/shm/$shm"
on_cleanup "rm -f /dev/shm/$shm"
apply_yaml ns.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  shareProcessNamespace: true
  containers:
    - name: server
      image: localhost/busybox:latest
      command: ["sleep", "3601"]
    - name: shell
      image: localhost/busybox:latest
      command: ["sh", "-c", "while ! ps ax | grep -q 'sleep 360[1]'; do sleep 0.2; done; ps ax; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: on-host}
spec:
  hostNetwork: true
  hostIPC: true
  containers:
    - name: web
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo uts=\$(hostname); cat /dev/shm/$shm; echo hello > /tmp/index.html; exec httpd -f -p 127.0.0.1:$port -h /tmp"]
      ports: [{containerPort: $port}]
YAML
wait_for_phase shared Running 30
wait_for 20 sh -c "'$ORC' logs shared -c shell | grep -q 'sleep 3601'" || fail "no ps output: $("$ORC" logs shared -c shell)"
ps_out=$("$ORC" logs shared -c shell)
grep -Eq '^ +1 root +([0-9:]+ +)?/pause$' <<<"$ps_out" || fail "PID 1 is not the pause process: $ps_out"
grep -q 'sleep 3601' <<<"$ps_out" || fail "the other container's process is not seen: $ps_out"
grep -q 'ps ax' <<<"$ps_out" || fail "ps does not see itself: $ps_out"
assert_eq "$(pod_field shared .spec.shareProcessNamespace)" "true" "shareProcessNamespace stored"

wait_for_phase on-host Running 30
wait_for 20 sh -c "curl -sf http://127.0.0.1:$port/index.html | grep -q hello" ||
    fail "the host-network pod's server is not on the host's 127.0.0.1:$port: $("$ORC" logs on-host)"
logs=$("$ORC" logs on-host)
assert_contains "$logs" "uts=$(hostname)" "on the host's network the hostname is the host's"
assert_contains "$logs" "marker" "hostIPC: the host's /dev/shm"
assert_eq "$(pod_field on-host .status.podIP)" "127.0.0.1" "the pod's IP is the node's"
assert_eq "$(pod_field on-host '.spec.containers[0].ports[0].hostPort')" "$port" "hostPort defaults to containerPort"
uid=$(pod_field on-host .metadata.uid)
assert_eq "$(cat "$XDG_RUNTIME_DIR/orc/pods/$uid/hosts")" "$(cat /etc/hosts)" "the host's /etc/hosts"
assert_not_contains "$("$ORC" events --for pod/on-host)" "MissingClusterDNS" "ClusterFirst on the host's network is Default, quietly"
"$ORC" delete pod on-host --grace-period 0 >/dev/null || fail "delete on-host"

expect_exit 1 "$ORC" apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  hostPID: true
  hostNetwork: true
  containers: [{name: c, image: localhost/busybox:latest, ports: [{containerPort: 80, hostPort: 81}]}]
YAML
assert_contains "$out" "spec.hostPID: Forbidden: orc does not give pods the host's PID namespace" "hostPID refused with the reason"
assert_contains "$out" 'spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true' "hostNetwork: hostPort must match"

apply_yaml deadline.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: deadline}
spec:
  activeDeadlineSeconds: 3
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}]
YAML
wait_for_phase deadline Running 30
wait_for_phase deadline Failed 20
assert_eq "$(pod_field deadline '.status.reason + ": " + .status.message')" \
    "DeadlineExceeded: Pod was active on the node longer than the specified deadline" "kubelet's reason and message"
assert_contains "$("$ORC" events --for pod/deadline)" "DeadlineExceeded" "an event"
uid=$(pod_field deadline .metadata.uid)
wait_for 20 sh -c "! test -e '$XDG_RUNTIME_DIR/orc/pods/$uid/shim.sock'" || fail "the deadline pod's sandbox still runs"
assert_eq "$(pod_field deadline .spec.activeDeadlineSeconds)" "3" "activeDeadlineSeconds stored"

node=$(curl -s --unix-socket "$XDG_RUNTIME_DIR/orc/orcd.sock" http://x/api/v1/nodes | jq -r ".items[0].metadata.name")
apply_yaml select.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: picky}
spec:
  nodeSelector: {disktype: ssd}
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: fits}
spec:
  restartPolicy: Never
  nodeSelector: {kubernetes.io/os: linux}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions: [{key: disktype, operator: Exists}]
          - matchFields: [{key: metadata.name, operator: In, values: [$node]}]
  containers: [{name: c, image: localhost/busybox:latest, command: ["true"]}]
YAML
wait_for_phase fits Succeeded 30
wait_for 20 sh -c "'$ORC' events --for pod/picky | grep -q FailedScheduling" || fail "no FailedScheduling event: $("$ORC" events --for pod/picky)"
assert_contains "$("$ORC" events --for pod/picky)" "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." "the scheduler's words"
assert_eq "$(pod_phase picky)" "Pending" "a pod the node does not match stays Pending"
assert_eq "$(pod_field picky '.status.conditions[] | select(.type == "PodScheduled") | .status + "/" + .reason')" \
    "False/Unschedulable" "PodScheduled False, Unschedulable"
"$ORC" delete pod picky >/dev/null || fail "delete picky"
echo "PASS: $TEST_NAME"
