#!/bin/bash
# Volumes: an emptyDir shared by two containers and removed with the pod; hostPath with
# kubelet's type checks (a wrong type leaves the pod ContainerCreating with a FailedMount
# event), readOnly, *OrCreate; subPath and subPathExpr (made when missing); and the escapes
# that must fail: a subPath through a symlink out of its volume (kubelet's CVE-2017-1002101),
# a hostPath through a symlink another user planted in a shared directory.
#
# "Another user" is this user's first subordinate uid (unshare --map-auto maps it to 1).
source "$(dirname "$0")/lib.sh"
setup
start_orcd
load_busybox_image
events_of() { # REASON<TAB>MESSAGE lines of pod NAME
    api GET "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=$1" >/dev/null
    body '.items[] | "\(.reason)\t\(.message)"'
}
has_event() { events_of "$1" | grep -q "^$2"$'\t'; }
waiting_reason() { pod_field "$1" '.status.containerStatuses[0].state.waiting.reason'; }

HOST=$TEST_DIR/host
mkdir -p "$HOST/data/inner" "$TEST_DIR/outside"
echo host-data >"$HOST/data/file"
echo outside-secret >"$TEST_DIR/outside/secret"
ln -s ../../outside "$HOST/data/escape" # leads out of the volume
ln -s inner "$HOST/data/inside"         # stays in it
echo inner-data >"$HOST/data/inner/f"

apply_yaml vols.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: vols}
spec:
  volumes:
    - {name: cache, emptyDir: {}}
    - {name: data, hostPath: {path: $HOST/data, type: Directory}}
    - {name: made, hostPath: {path: $HOST/made/deep, type: DirectoryOrCreate}}
    - {name: file, hostPath: {path: $HOST/log.txt, type: FileOrCreate}}
  containers:
    - name: writer
      image: localhost/busybox:latest
      env: [{name: SUB, value: by-expr}]
      command: ["sh", "-c", "echo shared > /cache/x; echo sub > /sub/s; echo expr > /expr/e; echo made > /made/m; echo logged > /log.txt; touch /data/w 2>/dev/null && echo rw || echo ro; cat /data/file /inside/f; echo done; exec sleep 3600"]
      volumeMounts:
        - {name: cache, mountPath: /cache}
        - {name: cache, mountPath: /sub, subPath: a/b}
        - {name: cache, mountPath: /expr, subPathExpr: "\$(SUB)"}
        - {name: data, mountPath: /data, readOnly: true}
        - {name: data, mountPath: /inside, subPath: inside}
        - {name: made, mountPath: /made}
        - {name: file, mountPath: /log.txt}
    - name: reader
      image: localhost/busybox:latest
      command: ["sh", "-c", "while [ ! -f /shared/x ]; do sleep 0.1; done; cat /shared/x /shared/a/b/s /shared/by-expr/e; echo done; exec sleep 3600"]
      volumeMounts: [{name: cache, mountPath: /shared, readOnly: true}]
YAML
wait_for_phase vols Running 30
wait_for 20 sh -c "'$ORC' logs vols -c writer | grep -qx done" || fail "writer: $("$ORC" logs vols -c writer)"
wait_for 20 sh -c "'$ORC' logs vols -c reader | grep -qx done" || fail "reader: $("$ORC" logs vols -c reader)"
assert_eq "$("$ORC" logs vols -c writer)" $'ro\nhost-data\ninner-data\ndone' "hostPath read-only, a subPath symlink inside its volume followed"
assert_eq "$("$ORC" logs vols -c reader)" $'shared\nsub\nexpr\ndone' "two containers share the emptyDir, subPath and subPathExpr beneath it"
assert_eq "$(cat "$HOST/made/deep/m" "$HOST/log.txt")" $'made\nlogged' "DirectoryOrCreate and FileOrCreate made what was missing"
[ ! -e "$HOST/data/w" ] || fail "a readOnly hostPath was written"
uid=$(pod_field vols .metadata.uid)
vdir=$XDG_DATA_HOME/orc/pods/$uid/volumes/kubernetes.io~empty-dir/cache
assert_eq "$(cat "$vdir/x")" shared "the emptyDir lives under the data directory"
assert_eq "$(stat -c %a "$XDG_DATA_HOME/orc/pods/$uid")" 700 "the pod's volume directory is private"

# a subPath through a symlink out of its volume: the container never starts
apply_yaml escape.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: escape}
spec:
  restartPolicy: Never
  volumes: [{name: data, hostPath: {path: $HOST/data}}]
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["cat", "/mnt/secret"]
      volumeMounts: [{name: data, mountPath: /mnt, subPath: escape}]
YAML
wait_for 30 sh -c "[ \"\$('$ORC' get pod escape -o json | jq -r '.status.containerStatuses[0].state.terminated.reason')\" = StartError ]" ||
    fail "the escaping subPath did not fail the start: $(pod_json escape | jq -c .status)"
msg=$(pod_field escape '.status.containerStatuses[0].state.terminated.message')
assert_contains "$msg" "'escape' leads out of its volume" "the start error names the escape"
assert_not_contains "$("$ORC" logs escape 2>&1)" outside-secret "nothing outside the volume was read"

# hostPath of the wrong type: ContainerCreating with kubelet's FailedMount event
apply_yaml wrong.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: wrong}
spec:
  volumes: [{name: f, hostPath: {path: $HOST/data, type: File}}]
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"], volumeMounts: [{name: f, mountPath: /f}]}]
YAML
wait_for 20 has_event wrong FailedMount || fail "no FailedMount event: $(events_of wrong)"
assert_contains "$(events_of wrong)" "MountVolume.SetUp failed for volume \"f\" : hostPath type check failed: $HOST/data is not a file" "kubelet's message"
assert_eq "$(waiting_reason wrong)" ContainerCreating "the pod waits"

# a symlink another user planted in a shared (sticky, world-writable) directory is not
# followed; the user's own is
if unshare --user --map-auto --map-root-user true 2>/dev/null; then
    SHARED=$TEST_DIR/shared
    mkdir -m 1777 "$SHARED"
    ln -s "$TEST_DIR/outside" "$SHARED/mine"
    unshare --user --map-auto --map-root-user sh -c "ln -s '$TEST_DIR/outside' '$SHARED/theirs' && chown -h 1:1 '$SHARED/theirs'" ||
        fail "could not plant a symlink as another user"
    apply_yaml planted.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: planted}
spec:
  volumes:
    - {name: theirs, hostPath: {path: $SHARED/theirs}}
  containers: [{name: c, image: localhost/busybox:latest, command: [sleep, "3600"], volumeMounts: [{name: theirs, mountPath: /t}]}]
YAML
    wait_for 20 has_event planted FailedMount || fail "no FailedMount event: $(events_of planted)"
    assert_contains "$(events_of planted)" "'$SHARED/theirs' is a symlink of uid" "another user's symlink is refused, naming it"
    apply_yaml own.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: own}
spec:
  restartPolicy: Never
  volumes: [{name: mine, hostPath: {path: $SHARED/mine, type: Directory}}]
  containers: [{name: c, image: localhost/busybox:latest, command: [cat, /m/secret], volumeMounts: [{name: mine, mountPath: /m}]}]
YAML
    wait_for_phase own Succeeded 30
    assert_eq "$("$ORC" logs own)" outside-secret "the user's own symlink is followed"
else
    [ "${ORC_TEST_STRICT:-0}" != 1 ] || fail "unshare --map-auto does not work here (strict mode)"
    echo "# another user's symlink not checked: unshare --map-auto does not work here"
fi

# downwardAPI: files through kubelet's ..data links, read-only; a label changed on the pod
# is swapped in (the atomic writer), a subPath mount of the same file is not updated
apply_yaml info.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: info, labels: {zone: a, rack: r1}}
spec:
  volumes:
    - name: podinfo
      downwardAPI:
        items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: meta/name, fieldRef: {fieldPath: metadata.name}, mode: 0600}
          - {path: mem, resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}}
  containers:
    - name: c
      image: localhost/busybox:latest
      resources: {limits: {memory: 64Mi}}
      command: ["sh", "-c", "cat /etc/podinfo/meta/name; echo; cat /etc/podinfo/mem; echo; touch /etc/podinfo/x 2>/dev/null || echo ro; ls -a /etc/podinfo | grep -c '^\\.\\.20'; readlink /etc/podinfo/labels; echo done; until grep -q zone=.b. /etc/podinfo/labels; do sleep 0.1; done; echo updated; grep zone /fixed-labels; exec sleep 3600"]
      volumeMounts:
        - {name: podinfo, mountPath: /etc/podinfo}
        - {name: podinfo, mountPath: /fixed-labels, subPath: labels}
YAML
wait_for 30 sh -c "'$ORC' logs info | grep -qx done" || fail "info: $("$ORC" logs info)"
assert_eq "$("$ORC" logs info)" $'info\n64\nro\n1\n..data/labels\ndone' "downwardAPI files, read-only, one ..<timestamp> directory, a key links into ..data"
iuid=$(pod_field info .metadata.uid)
ivol=$XDG_DATA_HOME/orc/pods/$iuid/volumes/kubernetes.io~downward-api/podinfo
assert_eq "$(ls -A "$ivol")" "" "the files are on the shim's tmpfs, not on the disk"
ivol=/proc/$(cat "$XDG_RUNTIME_DIR/orc/pods/$iuid/shim.pid")/root$ivol # the shim's view
assert_eq "$(cat "$ivol/labels")" $'rack="r1"\nzone="a"' "labels as kubelet writes them"
assert_eq "$(stat -L -c %a "$ivol/meta/name")" 600 "an item's mode"
sed -i 's/zone: a/zone: b/' "$TEST_DIR/info.yaml"
"$ORC" apply -f "$TEST_DIR/info.yaml" >/dev/null
wait_for 20 sh -c "'$ORC' logs info | grep -qx updated" || fail "the changed label never reached the container: $("$ORC" logs info; cat "$ivol/labels")"
assert_eq "$("$ORC" logs info | tail -1)" 'zone="a"' "a subPath mount keeps the file it had"

# emptyDir medium Memory: a tmpfs of sizeLimit bytes
apply_yaml mem.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: mem}
spec:
  restartPolicy: Never
  volumes: [{name: m, emptyDir: {medium: Memory, sizeLimit: 1Mi}}]
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "grep ' /m ' /proc/mounts | cut -d' ' -f3; dd if=/dev/zero of=/m/big bs=64k count=32 2>/dev/null && echo fitted || echo full"]
      volumeMounts: [{name: m, mountPath: /m}]
YAML
wait_for_phase mem Succeeded 30
assert_eq "$("$ORC" logs mem)" $'tmpfs\nfull' "a tmpfs that holds no more than its sizeLimit"

# fsGroup: the emptyDir (and what is in it) belongs to the group, setgid; a hostPath never
apply_yaml fsgroup.yaml <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: fsgroup}
spec:
  restartPolicy: Never
  securityContext: {runAsUser: 1000, fsGroup: 2000}
  volumes:
    - {name: data, emptyDir: {}}
    - {name: host, hostPath: {path: $HOST/data, type: Directory}}
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "stat -c '%g %A' /data; touch /data/f; mkdir /data/d; stat -c '%g' /data/f /data/d; id -G; stat -c '%g' /host/file"]
      volumeMounts: [{name: data, mountPath: /data}, {name: host, mountPath: /host}]
YAML
wait_for_phase fsgroup Succeeded 30
assert_eq "$("$ORC" logs fsgroup | head -4)" $'2000 drwxrwsrwx\n2000\n2000\n0 2000' "fsGroup owns the emptyDir (setgid: new files inherit it); the process has the group"
assert_not_contains "$("$ORC" logs fsgroup | tail -1)" 2000 "a hostPath is never given to fsGroup"

# fsGroup's setgid bit stays when the pod's volumes are prepared again (its ConfigMap changed)
apply_yaml fsgroup-cm.yaml <<YAML >/dev/null
apiVersion: v1
kind: ConfigMap
metadata: {name: fs-cm}
data: {a: "1"}
---
apiVersion: v1
kind: Pod
metadata: {name: fsgroup-cm}
spec:
  securityContext: {runAsUser: 1000, fsGroup: 2000}
  volumes:
    - {name: data, emptyDir: {}}
    - {name: cfg, configMap: {name: fs-cm}}
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sleep", "3600"]
      volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /cfg}]
YAML
wait_for_phase fsgroup-cm Running 30
vols=$XDG_DATA_HOME/orc/pods/$(pod_field fsgroup-cm .metadata.uid)/volumes
assert_eq "$(stat -c %A "$vols/kubernetes.io~empty-dir/data")" drwxrwsrwx "setgid once the pod runs"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fs-cm}\ndata: {a: "2"}\n' | "$ORC" apply -f - >/dev/null
cm_changed() { [ "$(cat "$vols/kubernetes.io~configmap/cfg/a")" = 2 ]; }
wait_for 20 cm_changed || fail "the ConfigMap's change never reached its volume"
assert_eq "$(stat -c %A "$vols/kubernetes.io~empty-dir/data")" drwxrwsrwx \
    "setgid still, after the volumes were written again"
"$ORC" delete pod fsgroup-cm --grace-period 0 >/dev/null

# a configMap that does not exist: ContainerCreating with kubelet's FailedMount event; the
# pod starts by itself once the ConfigMap is created, and sees its change swapped in; a
# container of another user than root reads both volumes (no fsGroup needed)
apply_yaml needs-cm.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: needs-cm}
spec:
  volumes:
    - {name: cfg, configMap: {name: app-config}}
    - {name: creds, secret: {secretName: app-secret, items: [{key: password, path: pw}]}}
  containers:
    - name: c
      image: localhost/busybox:latest
      command: ["sh", "-c", "cat /cfg/greeting; echo; cat /creds/pw; echo; echo started; until grep -q bye /cfg/greeting; do sleep 0.1; done; echo updated; exec sleep 3600"]
      volumeMounts: [{name: cfg, mountPath: /cfg}, {name: creds, mountPath: /creds}]
      securityContext: {runAsUser: 1000}
YAML
wait_for 20 has_event needs-cm FailedMount || fail "no FailedMount event: $(events_of needs-cm)"
assert_contains "$(events_of needs-cm)" 'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found' "kubelet's message"
assert_eq "$(waiting_reason needs-cm)" ContainerCreating "the pod waits for its ConfigMap"
apply_yaml objects.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {greeting: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret}
stringData: {password: s3cret}
YAML
wait_for 20 sh -c "'$ORC' logs needs-cm 2>/dev/null | grep -qx started" ||
    fail "the pod did not start once its objects existed: $(events_of needs-cm)"
assert_eq "$("$ORC" logs needs-cm)" $'hello\ns3cret\nstarted' "the ConfigMap's and the Secret's files"
sed -i 's/greeting: hello/greeting: bye/' "$TEST_DIR/objects.yaml"
"$ORC" apply -f "$TEST_DIR/objects.yaml" >/dev/null
wait_for 20 sh -c "'$ORC' logs needs-cm | grep -qx updated" || fail "the changed ConfigMap never reached the pod"

# a claim (orc's class: bound at once to a directory of the user's): its data outlives the pod
apply_yaml claim.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: home}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: claim-writer}
spec:
  restartPolicy: Never
  volumes: [{name: home, persistentVolumeClaim: {claimName: home}}]
  containers: [{name: c, image: localhost/busybox:latest, command: ["sh", "-c", "echo kept > /home/x"], volumeMounts: [{name: home, mountPath: /home}]}]
YAML
wait_for_phase claim-writer Succeeded 30
"$ORC" delete pod claim-writer >/dev/null
apply_yaml claim-reader.yaml <<'YAML' >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: claim-reader}
spec:
  restartPolicy: Never
  volumes: [{name: home, persistentVolumeClaim: {claimName: home, readOnly: true}}]
  containers: [{name: c, image: localhost/busybox:latest, command: ["sh", "-c", "cat /home/x; touch /home/y 2>/dev/null || echo ro"], volumeMounts: [{name: home, mountPath: /home}]}]
YAML
wait_for_phase claim-reader Succeeded 30
assert_eq "$("$ORC" logs claim-reader)" $'kept\nro' "the claim's data outlives its pod; a readOnly claim is mounted read-only"

# deleting the pod removes its volumes' directory (not the hostPath)
"$ORC" delete pod vols >/dev/null
[ ! -e "$XDG_DATA_HOME/orc/pods/$uid" ] || fail "the pod's volumes outlived it"
[ -f "$HOST/data/file" ] || fail "the hostPath was removed with the pod"
echo "PASS: $TEST_NAME"
