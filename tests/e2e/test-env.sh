#!/bin/bash
# A container's environment as kubelet makes it, in the shapes of the Kubernetes docs' pages
# "Define Environment Variables for a Container", "Define Dependent Environment Variables" and
# "Expose Pod Information to Containers Through Environment Variables"; variables from
# ConfigMaps and Secrets: a missing one keeps the container waiting in
# CreateContainerConfigError with kubelet's message and event until the object is created, then
# starts by itself; "Configure a Pod to Use a ConfigMap" and "Distribute Credentials Securely
# Using Secrets": keys as variables, envFrom (invalid names skipped with kubelet's event).
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
kubectl_setup

# Runs a pod of one container printing what it is given, waits for it, prints its log.
# The image's busybox has no printenv applet: the commands define it as a shell function.
run_pod() { # NAME (manifest on stdin)
    apply_yaml "$1.yaml" >/dev/null || fail "apply $1 failed"
    wait_for_phase "$1" Succeeded 30
    "$ORC" logs "$1"
}

out=$(run_pod envar-demo <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: envar-demo, labels: {purpose: demonstrate-envars}}
spec:
  restartPolicy: Never
  containers:
    - name: envar-demo-container
      image: localhost/busybox:latest
      command: ["sh", "-c", "printenv() { for n; do env | sed -n \"s/^$n=//p\"; done; }; printenv DEMO_GREETING DEMO_FAREWELL"]
      env:
        - {name: DEMO_GREETING, value: "Hello from the environment"}
        - {name: DEMO_FAREWELL, value: "Such a sweet sorrow"}
YAML
)
assert_eq "$out" $'Hello from the environment\nSuch a sweet sorrow' "envars.yaml's printenv"

# the page's output: UNCHANGED_REFERENCE is printed under a misspelt name, so not at all
out=$(run_pod dependent-envars-demo <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: dependent-envars-demo}
spec:
  restartPolicy: Never
  containers:
  - name: dependent-envars-demo
    args:
    - printenv() { for n; do env | sed -n "s/^$n=//p"; done; }; echo SERVICE_ADDRESS;printenv SERVICE_ADDRESS;echo UNCHANGE_REFERENCE;printenv UNCHANGE_REFERENCE;echo ESCAPED_REFERENCE;printenv ESCAPED_REFERENCE; printenv UNCHANGED_REFERENCE
    command:
        - sh
        - -c
    image: localhost/busybox:latest
    env:
    - name: SERVICE_PORT
      value: "80"
    - name: SERVICE_IP
      value: "172.17.0.1"
    - name: UNCHANGED_REFERENCE
      value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"
    - name: PROTOCOL
      value: "https"
    - name: SERVICE_ADDRESS
      value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"
    - name: ESCAPED_REFERENCE
      value: "$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"
YAML
)
assert_eq "$out" 'SERVICE_ADDRESS
https://172.17.0.1:80
UNCHANGE_REFERENCE
ESCAPED_REFERENCE
$(PROTOCOL)://172.17.0.1:80
$(PROTOCOL)://172.17.0.1:80' "dependent-envars.yaml: a later variable stays a reference, \$\$ escapes"

out=$(run_pod dapi-envars-fieldref <<'YAML'
{
  apiVersion: "v1",
  kind: "Pod",
  metadata: {name: "dapi-envars-fieldref"},
  spec: {
    containers: [{
      name: "test-container",
      image: "localhost/busybox:latest",
      command: ["sh", "-c"],
      args: ["printenv() { for n; do env | sed -n \"s/^$n=//p\"; done; }; printenv MY_NODE_NAME MY_POD_NAME MY_POD_NAMESPACE; printenv MY_POD_IP MY_POD_SERVICE_ACCOUNT"],
      env: [
        {name: "MY_NODE_NAME", valueFrom: {fieldRef: {fieldPath: "spec.nodeName"}}},
        {name: "MY_POD_NAME", valueFrom: {fieldRef: {fieldPath: "metadata.name"}}},
        {name: "MY_POD_NAMESPACE", valueFrom: {fieldRef: {fieldPath: "metadata.namespace"}}},
        {name: "MY_POD_IP", valueFrom: {fieldRef: {fieldPath: "status.podIP"}}},
        {name: "MY_POD_SERVICE_ACCOUNT", valueFrom: {fieldRef: {fieldPath: "spec.serviceAccountName"}}},
      ],
    }],
    restartPolicy: "Never",
  },
}
YAML
)
node=$(k get nodes -o jsonpath='{.items[0].metadata.name}')
ip=$(pod_field dapi-envars-fieldref .status.podIP)
assert_eq "$out" "$node
dapi-envars-fieldref
default
$ip
default" "dapi-envars-pod.yaml: node, pod name, namespace, address, service account"

out=$(run_pod dapi-envars-resourcefieldref <<'YAML'
{
  apiVersion: "v1",
  kind: "Pod",
  metadata: {name: "dapi-envars-resourcefieldref"},
  spec: {
    containers: [{
      name: "test-container",
      image: "localhost/busybox:latest",
      command: ["sh", "-c"],
      args: ["printenv() { for n; do env | sed -n \"s/^$n=//p\"; done; }; printenv MY_CPU_REQUEST MY_CPU_LIMIT; printenv MY_MEM_REQUEST MY_MEM_LIMIT; printenv MY_DISK"],
      resources: {requests: {memory: "32Mi", cpu: "125m"}, limits: {memory: "64Mi", cpu: "250m"}},
      env: [
        {name: "MY_CPU_REQUEST", valueFrom: {resourceFieldRef: {containerName: "test-container", resource: "requests.cpu"}}},
        {name: "MY_CPU_LIMIT", valueFrom: {resourceFieldRef: {containerName: "test-container", resource: "limits.cpu"}}},
        {name: "MY_MEM_REQUEST", valueFrom: {resourceFieldRef: {containerName: "test-container", resource: "requests.memory"}}},
        {name: "MY_MEM_LIMIT", valueFrom: {resourceFieldRef: {containerName: "test-container", resource: "limits.memory"}}},
        {name: "MY_DISK", valueFrom: {resourceFieldRef: {resource: "limits.ephemeral-storage", divisor: "1Ki"}}},
      ],
    }],
    restartPolicy: "Never",
  },
}
YAML
)
disk=$(k get node "$node" -o jsonpath='{.status.allocatable.ephemeral-storage}')
disk_ki=$(( ($(numfmt --from=iec-i "$disk") + 1023) / 1024 ))
assert_eq "$out" "1
1
33554432
67108864
$disk_ki" "dapi-envars-container.yaml: the page's 1 1 33554432 67108864; no storage limit: the node's allocatable ($disk)"

# refused by the API as kube-apiserver refuses them (422, each cause)
cat >"$TEST_DIR/bad-env.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bad-env}
spec:
  containers:
    - name: c
      image: localhost/busybox:latest
      env:
        - {name: PHASE, valueFrom: {fieldRef: {fieldPath: status.phase}}}
        - {name: KEY, valueFrom: {configMapKeyRef: {name: Settings, key: "a b"}}}
        - {name: DISK, valueFrom: {resourceFieldRef: {resource: limits.ephemeral-storage, divisor: 1m}}}
      envFrom:
        - {prefix: "1_", secretRef: {name: creds}, configMapRef: {name: settings}}
YAML
out=$(k apply -f "$TEST_DIR/bad-env.yaml" || true)
for cause in 'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"' \
    'spec.containers[0].env[1].valueFrom.configMapKeyRef.name: Invalid value: "Settings": a lowercase RFC 1123 subdomain' \
    'spec.containers[0].env[1].valueFrom.configMapKeyRef.key: Invalid value: "a b": a valid config key must consist of alphanumeric characters' \
    'spec.containers[0].env[2].valueFrom.resourceFieldRef.divisor: Invalid value: "1m": only divisor'"'"'s values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource' \
    'spec.containers[0].envFrom[0].prefix: Invalid value: "1_": a valid environment variable name must consist of alphabetic characters' \
    'spec.containers[0].envFrom: Invalid value: "": may not have more than one field specified at a time'; do
    assert_contains "$out" "$cause" "kubectl apply shows the API server's cause"
done
assert_contains "$out" 'The Pod "bad-env" is invalid' "refused whole"
pod_gone bad-env || fail "the refused pod was stored"

# A variable from an object that does not exist: the container waits, as kubelet's does
apply_yaml waiting.yaml >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: waiting}
spec:
  containers:
    - name: secret-user
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo $TOKEN; exec sleep 3600"]
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
    - name: config-user
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo $MODE; exec sleep 3600"]
      envFrom: [{configMapRef: {name: settings, optional: true}}]
      env: [{name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}]
    - name: plain
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo ready; exec sleep 3600"]
      envFrom: [{secretRef: {name: creds, optional: true}}]
      env: [{name: GONE, valueFrom: {configMapKeyRef: {name: settings, key: x, optional: true}}}]
YAML
waiting_reason() { pod_field waiting ".status.containerStatuses[] | select(.name == \"$1\") | .state.waiting | \"\(.reason): \(.message)\""; }
wait_for 30 sh -c "'$ORC' logs waiting -c plain 2>/dev/null | grep -qx ready" || fail "the container without missing objects did not start: $(pod_field waiting .status)"
wait_for 10 sh -c "[ \"\$('$ORC' get pod waiting -o json | jq -r '[.status.containerStatuses[].state.waiting.reason] | map(select(. != null)) | join(\",\")')\" = CreateContainerConfigError,CreateContainerConfigError ]" ||
    fail "the two containers are not waiting: $(pod_field waiting .status)"
assert_eq "$(waiting_reason secret-user)" 'CreateContainerConfigError: secret "creds" not found' "a missing Secret: kubelet's reason and message"
assert_eq "$(waiting_reason config-user)" 'CreateContainerConfigError: configmap "settings" not found' "a missing ConfigMap"
assert_eq "$(pod_phase waiting)" Pending "the pod is Pending"
assert_contains "$(k get pod waiting)" "CreateContainerConfigError" "kubectl get shows the reason"
events=$(k get events --field-selector involvedObject.name=waiting -o jsonpath='{range .items[?(@.reason=="Failed")]}{.type} {.message}{"\n"}{end}')
assert_contains "$events" 'Warning Error: secret "creds" not found' "a Failed event with kubelet's words"
assert_contains "$events" 'Warning Error: configmap "settings" not found' "one for each container"
assert_eq "$(grep -c . <<<"$events")" 2 "once each, not at every sync: $events"

# the objects appear: each container starts by itself, with their values
k create secret generic creds --from-literal=token=s3cr3t >/dev/null || fail "create secret failed"
wait_for 20 sh -c "'$ORC' logs waiting -c secret-user 2>/dev/null | grep -qx s3cr3t" ||
    fail "the container did not start once the Secret was there: $(waiting_reason secret-user)"
assert_eq "$(waiting_reason config-user)" 'CreateContainerConfigError: configmap "settings" not found' "the other still waits"
k create configmap settings --from-literal=mode=fast >/dev/null || fail "create configmap failed"
wait_for 20 sh -c "'$ORC' logs waiting -c config-user 2>/dev/null | grep -qx fast" ||
    fail "the container did not start once the ConfigMap was there: $(waiting_reason config-user)"
wait_for_phase waiting Running 10
assert_eq "$(pod_field waiting '[.status.containerStatuses[].restartCount] | add')" 0 "waiting is no restart"
"$ORC" delete pod waiting >/dev/null || fail "delete waiting failed"

# "Configure a Pod to Use a ConfigMap" and "Distribute Credentials Securely Using Secrets":
# keys as variables, envFrom with and without a prefix, $(NAME) of them in the command
k create configmap special-config --from-literal=special.how=very >/dev/null || fail "create special-config"
k create configmap env-config --from-literal=log_level=INFO --from-literal=1badkey=x \
    --from-literal=2alsobad=y >/dev/null || fail "create env-config"
k create secret generic backend-user --from-literal=backend-username='backend-admin' >/dev/null
k create secret generic db-user --from-literal=db-username='db-admin' --from-literal=db-password='39528$vdg7Jb' >/dev/null
# the environment as runc gave it (a shell drops names such as db-user from its children's)
out=$(run_pod dapi-test-pod <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: dapi-test-pod
spec:
  containers:
    - name: test-container
      image: localhost/busybox:latest
      command: ["sh", "-c", "echo $(SPECIAL_LEVEL_KEY) $(LOG_LEVEL) $(SECRET_USERNAME); tr '\\0' '\\n' </proc/1/environ | grep -E '^(SPECIAL|LOG|log|SECRET|CFG_|db-|1badkey|2alsobad)' | sort"]
      envFrom:
        - configMapRef: {name: env-config}
        - prefix: CFG_
          configMapRef: {name: env-config}
        - secretRef: {name: db-user}
      env:
        - name: SPECIAL_LEVEL_KEY
          valueFrom:
            configMapKeyRef:
              name: special-config
              key: special.how
        - name: LOG_LEVEL
          valueFrom:
            configMapKeyRef:
              name: env-config
              key: log_level
        - name: SECRET_USERNAME
          valueFrom:
            secretKeyRef:
              name: backend-user
              key: backend-username
        - name: log_level
          value: "override of $(log_level)"
  restartPolicy: Never
YAML
)
assert_eq "$out" 'very INFO backend-admin
CFG_1badkey=x
CFG_2alsobad=y
CFG_log_level=INFO
LOG_LEVEL=INFO
SECRET_USERNAME=backend-admin
SPECIAL_LEVEL_KEY=very
db-password=39528$vdg7Jb
db-username=db-admin
log_level=override of INFO' "keys as variables, envFrom prefixed and not, the command expanded"
events=$(k get events --field-selector involvedObject.name=dapi-test-pod -o jsonpath='{range .items[?(@.reason=="InvalidEnvironmentVariableNames")]}{.type} {.message}{"\n"}{end}')
assert_eq "$events" "Warning Keys [1badkey, 2alsobad] from the EnvFrom configMap default/env-config were skipped since they are considered invalid environment variable names." "kubelet's event for the keys envFrom skips"
echo "PASS: $TEST_NAME"
