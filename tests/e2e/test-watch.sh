#!/bin/bash
# Watches as kube-apiserver serves them, over the unix socket: ADDED, MODIFIED and DELETED in
# order with increasing resourceVersions; lists carrying the resourceVersion a watch resumes
# from; a resumed watch sees exactly the changes after it; one older than the watch cache
# (--watch-cache-size) gets 410 Gone as an ERROR event; bookmarks; timeoutSeconds; selectors;
# Tables; events; watchers that hang up give their connections back (300 of them, then a
# request is answered at once); orc get -w sees a change; stopping orcd ends watches.
source "$(dirname "$0")/lib.sh"
setup
command -v curl >/dev/null || skip "curl missing"
command -v python3 >/dev/null || skip "python3 missing"
ORC_WATCH_BOOKMARK_MS=300 start_orcd
SOCK=$XDG_RUNTIME_DIR/orc/orcd.sock
PODS=/api/v1/namespaces/default/pods

get() { curl -sS --max-time 5 --unix-socket "$SOCK" "http://localhost$1" "${@:2}"; }
# watch NAME QUERY [CURL-ARGS...]: a watch of the default namespace's pods into $TEST_DIR/NAME
watch_bg() {
    local name=$1 query=$2
    shift 2
    curl -sSN --unix-socket "$SOCK" "$@" "http://localhost$PODS?watch=true&$query" \
        >"$TEST_DIR/$name" 2>"$TEST_DIR/$name.err" &
    WATCH_PID=$!
    on_cleanup "kill $WATCH_PID"
}
# "TYPE NAME RV" lines of a watch's output
events() { jq -r '"\(.type) \(.object.metadata.name) \(.object.metadata.resourceVersion)"' "$TEST_DIR/$1"; }
has_line() { grep -q "$2" "$TEST_DIR/$1"; }
pod_yaml() { # NAME [LABEL-VALUE]
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s, labels: {v: "%s"}}\n' "$1" "${2:-0}"
    printf 'spec:\n  containers: [{name: c, image: localhost/absent:1, imagePullPolicy: Never}]\n'
}
apply_pod() { pod_yaml "$@" | "$ORC" apply -f - >/dev/null || fail "apply $1"; }

# a list carries the store's resourceVersion
rv0=$(get "$PODS" | jq -r .metadata.resourceVersion)
[[ "$rv0" =~ ^[0-9]+$ ]] || fail "the list's resourceVersion is '$rv0'"

# ADDED, MODIFIED (labels, status, deletion), DELETED, in order, versions increasing
watch_bg w1 ""
w1=$WATCH_PID
wait_for 5 test -e "$TEST_DIR/w1" || fail "no watch"
apply_pod a
wait_for 10 has_line w1 '"ADDED"' || fail "no ADDED event: $(cat "$TEST_DIR/w1")"
apply_pod a 1
wait_for 10 eval '[ "$(jq -r ".object.metadata.labels.v" "$TEST_DIR/w1" | tail -n 1)" = 1 ]' ||
    fail "the label change was not seen: $(events w1)"
"$ORC" delete pod a >/dev/null || fail "delete"
wait_for 10 has_line w1 '"DELETED"' || fail "no DELETED event: $(events w1)"
seen=$(events w1)
assert_eq "$(head -n 1 <<<"$seen" | cut -d' ' -f1,2)" "ADDED a" "the first event"
assert_eq "$(tail -n 1 <<<"$seen" | cut -d' ' -f1,2)" "DELETED a" "the last event"
assert_eq "$(grep -c DELETED <<<"$seen")" 1 "one DELETED"
[ "$(sed '1d;$d' <<<"$seen" | grep -vc '^MODIFIED a ')" = 0 ] || fail "between them only MODIFIED: $seen"
[ -n "$(jq -r 'select(.type == "MODIFIED") | .object.metadata.deletionTimestamp // empty' "$TEST_DIR/w1")" ] ||
    fail "no MODIFIED event with the deletionTimestamp: $seen"
cut -d' ' -f3 <<<"$seen" | sort -n -c -u 2>/dev/null || fail "resourceVersions not increasing: $seen"
[ "$(cut -d' ' -f3 <<<"$seen" | head -n 1)" -gt "$rv0" ] || fail "an event not after the list's $rv0"
last=$(tail -n 1 <<<"$seen" | cut -d' ' -f3)
[ "$(get "$PODS" | jq -r .metadata.resourceVersion)" -ge "$last" ] || fail "the list is behind its events"
kill "$w1"

# resumed from the ADDED event's version: exactly the changes after it
first=$(head -n 1 <<<"$seen" | cut -d' ' -f3)
get "$PODS?watch=true&resourceVersion=$first&timeoutSeconds=1" >"$TEST_DIR/w2"
assert_eq "$(events w2)" "$(sed 1d <<<"$seen")" "the watch resumed from $first"
# from the last one: nothing, and the stream ends at timeoutSeconds
t0=$SECONDS
get "$PODS?watch=true&resourceVersion=$last&timeoutSeconds=1" >"$TEST_DIR/w3"
assert_eq "$(cat "$TEST_DIR/w3")" "" "nothing after the last change"
[ $((SECONDS - t0)) -le 3 ] || fail "timeoutSeconds=1 ended the watch after $((SECONDS - t0)) s"

# without a resourceVersion: the pods there are first, as ADDED
apply_pod b
apply_pod c
get "$PODS?watch=true&timeoutSeconds=1" >"$TEST_DIR/w4"
assert_eq "$(events w4 | cut -d' ' -f1,2 | head -n 2)" "ADDED b
ADDED c" "a watch without resourceVersion begins with the current pods"
assert_eq "$(events w4 | grep -c ADDED)" 2 "then only changes"

# selectors: a label selector (a pod that comes to match it is ADDED, one that stops matching
# it DELETED, with its labels before), a field selector; a bad one is refused
apply_pod c 7
apply_pod c 0
get "$PODS?watch=true&resourceVersion=$last&timeoutSeconds=1&labelSelector=v%3D7" >"$TEST_DIR/w5"
assert_eq "$(events w5 | cut -d' ' -f1,2 | sed -n '1p;$p')" "ADDED c
DELETED c" "labelSelector v=7: c entered and left"
assert_eq "$(events w5 | grep -vc ' c ')" 0 "only c matched"
assert_eq "$(tail -n 1 "$TEST_DIR/w5" | jq -r .object.metadata.labels.v)" 7 "the pod as it matched"
get "$PODS?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Db" >"$TEST_DIR/w6"
assert_eq "$(events w6 | cut -d' ' -f1,2)" "ADDED b" "fieldSelector metadata.name=b"
assert_contains "$(get "$PODS?watch=true&fieldSelector=spec.nope%3D1")" "field label not supported" "a bad field selector"

# bookmarks (every 300 ms here) carry the current resourceVersion
now=$(get "$PODS" | jq -r .metadata.resourceVersion)
get "$PODS?watch=true&resourceVersion=$now&allowWatchBookmarks=true&timeoutSeconds=1" >"$TEST_DIR/w8"
[ "$(jq -r 'select(.type == "BOOKMARK") | .type' "$TEST_DIR/w8" | wc -l)" -ge 2 ] ||
    fail "not a bookmark every 300 ms: $(cat "$TEST_DIR/w8")"
[ "$(jq --argjson now "$now" 'select(.type == "BOOKMARK") | .object |
    (keys == ["apiVersion", "kind", "metadata"]) and .kind == "Pod" and .apiVersion == "v1" and
    (.metadata | keys == ["resourceVersion"]) and (.metadata.resourceVersion | tonumber >= $now)' \
    "$TEST_DIR/w8" | sort -u)" = true ] || fail "bookmarks: $(cat "$TEST_DIR/w8")"
get "$PODS?watch=true&resourceVersion=$now&timeoutSeconds=1" >"$TEST_DIR/w9"
assert_not_contains "$(cat "$TEST_DIR/w9")" BOOKMARK "no bookmark unless asked for"

# kubectl's Accept: each event's object is a Table of one row, the columns in the first only
table='application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
get "$PODS?watch=true&timeoutSeconds=1" -H "Accept: $table" >"$TEST_DIR/w10"
assert_eq "$(jq -c '[.type, .object.kind, (.object.columnDefinitions | length), .object.rows[0].cells[0]]' \
    "$TEST_DIR/w10")" '["ADDED","Table",9,"b"]
["ADDED","Table",0,"c"]' "watch events as Tables"

# events: ADDED as pods get them
curl -sSN --unix-socket "$SOCK" "http://localhost/api/v1/namespaces/default/events?watch=true&resourceVersion=$now" \
    >"$TEST_DIR/ev" 2>&1 &
ev_pid=$!
on_cleanup "kill $ev_pid"
apply_pod d
wait_for 10 eval 'jq -r "select(.object.involvedObject.name == \"d\") | .type" "$TEST_DIR/ev" | grep -q ADDED' ||
    fail "no event of pod d: $(cat "$TEST_DIR/ev")"
assert_eq "$(jq -r .object.kind "$TEST_DIR/ev" | sort -u)" Event "the kind of events' events"
kill "$ev_pid"

# orc get -w: the list, then a row for the change
"$ORC" get pods -w >"$TEST_DIR/getw" 2>&1 &
getw=$!
on_cleanup "kill $getw"
wait_for 10 grep -q '^d ' "$TEST_DIR/getw" || fail "orc get -w printed no list: $(cat "$TEST_DIR/getw")"
"$ORC" delete pod d >/dev/null
wait_for 10 grep -q '^d .*Terminating' "$TEST_DIR/getw" ||
    fail "orc get -w did not show the deletion: $(cat "$TEST_DIR/getw")"
assert_eq "$(grep -c '^NAME ' "$TEST_DIR/getw")" 1 "one header"
kill "$getw"

# 300 watchers that hang up: their connections and threads go, a request is answered at once
threads() { ls "/proc/$ORCD_PID/task" | wc -l; }
before=$(threads)
python3 - "$SOCK" 300 <<'PY' || fail "could not open 300 watches"
import socket, sys
path, n = sys.argv[1], int(sys.argv[2])
conns = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"GET /api/v1/pods?watch=true HTTP/1.1\r\nHost: x\r\n\r\n")
    conns.append(s)
for s in conns:  # every watch answered 200 before any hangs up
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("a watch was closed")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit("a watch was refused: %r" % head[:80])
for s in conns:
    s.close()
PY
gone() { [ "$(threads)" -le "$((before + 2))" ]; }
wait_for 10 gone || fail "orcd has $(threads) threads, $before before the 300 watches"
t0=$(date +%s%N)
get "$PODS" >/dev/null || fail "no answer after the watches"
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000 ] || fail "the list took over a second"

# older than the watch cache: after a restart with room for 16 changes, 20 of them make the
# version at the restart too old: 410 Gone, as an ERROR event in a 200, then the end
stop_orcd
start_orcd --watch-cache-size 16
since=$(get "$PODS" | jq -r .metadata.resourceVersion)
for i in $(seq 1 20); do apply_pod b "$i"; done
code=$(curl -sS --max-time 5 -o "$TEST_DIR/w7" -w '%{http_code}' --unix-socket "$SOCK" \
    "http://localhost$PODS?watch=true&resourceVersion=$since")
assert_eq "$code" 200 "status of a watch too old"
assert_eq "$(jq -c '[.type, .object.code, .object.reason]' "$TEST_DIR/w7")" '["ERROR",410,"Expired"]' \
    "a watch from $since"
assert_contains "$(jq -r .object.message "$TEST_DIR/w7")" "too old resource version: $since (" "its message"
# the watch cache holds the last 16: from the 4th-last apply on, all of them
recent=$(get "$PODS?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Db" | jq -r .object.metadata.resourceVersion)
get "$PODS?watch=true&resourceVersion=$((recent - 3))&timeoutSeconds=1" >"$TEST_DIR/w12"
assert_not_contains "$(cat "$TEST_DIR/w12")" ERROR "a watch within the cache"

# stopping orcd ends a watch at once
watch_bg w11 ""
wait_for 5 test -s "$TEST_DIR/w11" || fail "no watch before the stop"
stop_orcd
wait_for 5 eval '! kill -0 $WATCH_PID 2>/dev/null' || fail "the watch outlived orcd"
echo "PASS: $TEST_NAME"
