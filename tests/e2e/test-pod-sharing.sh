#!/bin/bash
# Two containers of a pod share localhost and the hostname, not their filesystems; a container
# gets the environment and command line its manifest writes, $(NAME) references expanded as
# kubelet expands them, and the downward API's fields as the pod's object and status show them.
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
# keys this user holds (kernel.keys.maxkeys allows 200): containers must not take one each
user_keys() { awk -v u="$(id -u):" '$1 == u { split($4, q, "/"); print q[1] }' /proc/key-users; }
keys_before=$(user_keys)

apply_yaml share.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  containers:
    - name: server
      image: localhost/busybox:latest
      command: ["sh", "-c", "hostname > /www/host; echo server-marker > /tmp/marker; exec httpd -f -p 8080 -h /www"]
    - name: client
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo client-host=$(hostname); while ! wget -qO- http://127.0.0.1:8080/host; do sleep 0.2; done; ls /tmp/marker 2>&1 || echo no-marker; sleep 3600"]
YAML
wait_for_phase duo Running 30
wait_for 20 sh -c "'$ORC' logs duo -c client | grep -q no-marker" || fail "client never finished: $("$ORC" logs duo -c client)"
logs=$("$ORC" logs duo -c client)
assert_contains "$logs" "client-host=duo" "client's hostname is the pod name"
assert_contains "$logs" $'\nduo' "the server (over localhost) reports the same hostname"
assert_contains "$logs" "no-marker" "the client does not see the server's /tmp"
assert_not_contains "$logs" "server-marker" "filesystems are separate"
keys_after=$(user_keys)
[ "${keys_after:-0}" -lt "$((${keys_before:-0} + 2))" ] ||
    fail "each container took a session key (${keys_before:-0} before, $keys_after with 2 containers): a user would run out at 200"

# env values see the variables defined before them (EARLY is written before SCHEME), $$ escapes;
# command and args see the whole env. Unknown names ($(hostname), $(SCHEME) in EARLY) stay.
apply_yaml refs.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: refs}
spec:
  restartPolicy: Never
  containers:
    - name: env
      image: localhost/busybox:latest
      command: ["sh", "-c", "env | grep -E '^(EARLY|ADDRESS|LITERAL)=' | sort; echo \"0=$0 1=$1 h=$(hostname)\"", "$(SCHEME)", "$$(SCHEME)"]
      env:
        - {name: PORT, value: "80"}
        - {name: HOST_ADDR, value: 172.17.0.1}
        - {name: EARLY, value: "$(SCHEME)://$(HOST_ADDR):$(PORT)"}
        - {name: SCHEME, value: https}
        - {name: ADDRESS, value: "$(SCHEME)://$(HOST_ADDR):$(PORT)"}
        - {name: LITERAL, value: "$$(SCHEME)://$(HOST_ADDR):$(PORT)"}
    - name: args
      image: localhost/busybox:latest
      command: [echo]
      args: ["$(MESSAGE)", "$$(MESSAGE)", "$(UNDEFINED)"]
      env: [{name: MESSAGE, value: hello}]
YAML
wait_for_phase refs Succeeded 30
assert_eq "$("$ORC" logs refs -c env)" $'ADDRESS=https://172.17.0.1:80\nEARLY=$(SCHEME)://172.17.0.1:80\nLITERAL=$(SCHEME)://172.17.0.1:80\n0=https 1=$(SCHEME) h=refs' \
    "env values expanded in order, \$\$ escaped, command expanded against the env"
assert_eq "$("$ORC" logs refs -c args)" 'hello $(MESSAGE) $(UNDEFINED)' "args: \$(MESSAGE) expanded, \$\$(MESSAGE) escaped, unknown kept"

# valueFrom.fieldRef: the values the pod's object and status show; an optional Secret's
# variable is left out when the Secret does not exist
apply_yaml downward.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: downward
  labels: {app: shop}
  annotations: {team.example.com/owner: ops}
spec:
  serviceAccountName: builder
  containers:
    - name: env
      image: localhost/busybox:latest
      command: ["sh", "-c", "env | grep ^DA_ | sort; echo SECRET=${DA_SECRET-unset}; echo done; exec sleep 3600"]
      resources: {requests: {memory: 32Mi, cpu: 125m}, limits: {memory: 64Mi, cpu: 250m}}
      env:
        - {name: DA_CPU_REQ, valueFrom: {resourceFieldRef: {containerName: env, resource: requests.cpu}}}
        - {name: DA_CPU_MILLI, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
        - {name: DA_MEM_LIM, valueFrom: {resourceFieldRef: {resource: limits.memory}}}
        - {name: DA_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: DA_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        - {name: DA_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
        - {name: DA_APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
        - {name: DA_OWNER, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['team.example.com/owner']"}}}
        - {name: DA_NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: DA_SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
        - {name: DA_POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: DA_POD_IPS, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
        - {name: DA_HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
        - {name: DA_HOST_IPS, valueFrom: {fieldRef: {fieldPath: status.hostIPs}}}
        - {name: DA_URL, value: "http://$(DA_POD_IP):8080/$(DA_NAME)"}
        - {name: DA_SECRET, valueFrom: {secretKeyRef: {name: creds, key: token, optional: true}}}
YAML
wait_for_phase downward Running 30
wait_for 20 sh -c "'$ORC' logs downward | grep -qx done" || fail "downward never printed: $("$ORC" logs downward)"
pod=$(pod_json downward)
field() { jq -r "$1" <<<"$pod"; }
ip=$(field .status.podIP)
[ -n "$ip" ] && [ "$ip" != null ] || fail "the pod has no address in its status: $(field .status)"
want="DA_APP=shop
DA_CPU_MILLI=250
DA_CPU_REQ=1
DA_HOST_IP=$(field .status.hostIP)
DA_HOST_IPS=$(field '[.status.hostIPs[].ip] | join(",")')
DA_MEM_LIM=67108864
DA_NAME=downward
DA_NAMESPACE=$(field .metadata.namespace)
DA_NODE=$(field .spec.nodeName)
DA_OWNER=ops
DA_POD_IP=$ip
DA_POD_IPS=$(field '[.status.podIPs[].ip] | join(",")')
DA_SA=$(field .spec.serviceAccountName)
DA_UID=$(field .metadata.uid)
DA_URL=http://$ip:8080/downward
SECRET=unset
done"
assert_eq "$("$ORC" logs downward)" "$want" "the downward API's env equals the pod's object, status and resources"
assert_eq "$(field .status.hostIP),$(field .spec.serviceAccountName)" "127.0.0.1,builder" "host address and service account"
echo "PASS: $TEST_NAME"
