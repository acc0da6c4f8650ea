#!/bin/bash
# The health endpoints check something real, as kube-apiserver's do: /livez (ping, loop),
# /readyz (ping, loop, store, userns), /healthz (all), ?verbose listing each check,
# ?exclude=NAME skipping one, /healthz/NAME one check. Each check is made to fail and to recover: the loop blocked on
# purpose (--debug-hooks), the database held by another process's BEGIN EXCLUSIVE, the
# namespace holder killed. Status codes and the non-verbose answers (reasons withheld).
source "$(dirname "$0")/lib.sh"
setup
command -v curl >/dev/null || skip "curl missing"
command -v sqlite3 >/dev/null || skip "sqlite3 missing"
start_orcd --debug-hooks
SOCK=$XDG_RUNTIME_DIR/orc/orcd.sock

# METHOD PATH: sets CODE and BODY; fails when no answer comes within 5 s or it took over 2 s
# (a health check must answer at once, whatever the loop does)
try_http() {
    local t0=$SECONDS
    CODE=$(curl -sS -X "$1" -o "$TEST_DIR/body" -w '%{http_code}' --max-time 5 \
        --unix-socket "$SOCK" "http://localhost$2" 2>"$TEST_DIR/curl.err") || CODE="none"
    BODY=$(cat "$TEST_DIR/body" 2>/dev/null || true)
    [ "$CODE" != none ] && [ $((SECONDS - t0)) -le 2 ]
}
http() { try_http "$@" || fail "$1 $2: no prompt answer ($CODE, $(cat "$TEST_DIR/curl.err"))"; }
expect() { # PATH CODE [TEXT...]: the answer has status CODE and contains every TEXT
    local path=$1 code=$2 t
    shift 2
    http GET "$path"
    assert_eq "$CODE" "$code" "status of $path (body: $BODY)"
    for t in "$@"; do assert_contains "$BODY" "$t" "$path"; done
}
expect_not() { # PATH TEXT...: the last answer of PATH contains none of TEXT
    local path=$1 t
    shift
    for t in "$@"; do assert_not_contains "$BODY" "$t" "$path"; done
}
answers() { # PATH CODE TEXT: whether PATH answers CODE with TEXT in it
    try_http GET "$1" && [ "$CODE" = "$2" ] && [[ "$BODY" == *"$3"* ]]
}
last_line() { tail -n 1 <<<"$BODY"; }

echo "# all healthy"
for e in healthz livez readyz; do
    expect "/$e" 200
    assert_eq "$BODY" "ok" "/$e without verbose"
done
expect "/livez?verbose" 200 "[+]ping ok" "[+]loop ok"
expect_not "/livez?verbose" "[+]store" "[+]userns" "[-]"
assert_eq "$(last_line)" "livez check passed" "last line of /livez?verbose"
expect "/readyz?verbose" 200 "[+]ping ok" "[+]loop ok" "[+]store ok" "[+]userns ok"
assert_eq "$(last_line)" "readyz check passed" "last line of /readyz?verbose"
expect "/healthz?verbose" 200 "[+]ping ok" "[+]loop ok" "[+]store ok" "[+]userns ok"
assert_eq "$(last_line)" "healthz check passed" "last line of /healthz?verbose"
for c in ping loop store userns; do
    expect "/healthz/$c" 200
    assert_eq "$BODY" "ok" "/healthz/$c"
done
# kube-apiserver's ?exclude=NAME (repeatable): the check is not run; names that match no
# check of the endpoint are warned about
expect "/readyz?verbose&exclude=store&exclude=userns" 200 "[+]store excluded: ok" \
    "[+]userns excluded: ok" "[+]loop ok"
expect_not "/readyz?verbose&exclude=store&exclude=userns" "[+]store ok" "warn:"
expect "/livez?verbose&exclude=store&exclude=loop&exclude=nosuch" 200 "[+]loop excluded: ok" \
    'warn: some health checks cannot be excluded: no matches for "nosuch", "store"'
assert_eq "$(last_line)" "livez check passed" "last line with a warning"

echo "# loop: blocked for 10 s on purpose (it fails after 1 s; the rest leaves time for the checks)"
curl -sS -X POST -o "$TEST_DIR/block.out" -w '%{http_code}' --max-time 20 --unix-socket "$SOCK" \
    "http://localhost/debug/block-loop?seconds=10" >"$TEST_DIR/block.code" 2>&1 &
BLOCK=$!
on_cleanup "kill $BLOCK"
wait_for 6 answers "/livez?verbose" 500 "[-]loop failed" ||
    fail "/livez?verbose did not report the blocked loop: $CODE $BODY (block-loop: $(cat "$TEST_DIR/block.code" "$TEST_DIR/block.out" 2>&1))"
assert_contains "$BODY" "[-]loop failed: the reconcile loop has been busy for" "the reason"
assert_contains "$BODY" "[+]ping ok" "ping still passes"
assert_eq "$(last_line)" "livez check failed" "last line of a failing /livez?verbose"
expect /livez 500 "[-]loop failed"
expect_not /livez "busy for" "[+]loop ok"
expect /healthz/loop 500
expect /readyz 500 "[-]loop failed"
expect /healthz 500 "[-]loop failed"
expect "/readyz?verbose" 500 "[+]store ok" "[+]userns ok" "[-]loop failed: the reconcile loop has been busy for"
assert_eq "$(last_line)" "readyz check failed" "last line of a failing /readyz?verbose"
wait "$BLOCK" || fail "POST /debug/block-loop failed: $(cat "$TEST_DIR/block.out")"
code=$(cat "$TEST_DIR/block.code")
[[ "$code" == 2?? ]] || fail "POST /debug/block-loop answered $code: $(cat "$TEST_DIR/block.out")"
wait_for 12 answers /livez 200 ok || fail "/livez after the block: $CODE $BODY"
expect "/livez?verbose" 200 "[+]loop ok"
expect /healthz/loop 200 ok
"$ORC" get pods >/dev/null 2>&1 || fail "the agent does not answer after the block"

echo "# store: another process holds the database in BEGIN EXCLUSIVE"
mkfifo "$TEST_DIR/sql"
sqlite3 "$XDG_DATA_HOME/orc/orc.db" <"$TEST_DIR/sql" >"$TEST_DIR/sql.out" 2>&1 &
SQLITE=$!
on_cleanup "kill $SQLITE"
exec 5>"$TEST_DIR/sql"
printf '.timeout 5000\nBEGIN EXCLUSIVE;\nSELECT %s;\n' "'locked'" >&5
wait_for 10 grep -qx locked "$TEST_DIR/sql.out" || fail "sqlite3 could not lock the database: $(cat "$TEST_DIR/sql.out")"
wait_for 5 answers /readyz 500 "[-]store failed" || fail "/readyz with the database locked: $CODE $BODY"
expect_not /readyz "database is locked"
expect "/readyz?verbose" 500 "[-]store failed: " "database is locked" "[+]loop ok" "[+]userns ok"
assert_eq "$(last_line)" "readyz check failed" "last line"
expect /healthz/store 500
expect /healthz 500 "[-]store failed"
expect /livez 200 # the store is not a liveness check: a restart would not unlock it
assert_eq "$BODY" ok "/livez with the database locked"
expect "/readyz?exclude=store" 200 # a supervisor that knows: the locked store is not asked
assert_eq "$BODY" ok "/readyz?exclude=store with the database locked"
expect "/readyz?verbose&exclude=store" 200 "[+]store excluded: ok" "[+]loop ok" "[+]userns ok"
expect "/healthz?exclude=loop&exclude=store" 200
printf 'COMMIT;\n.quit\n' >&5
exec 5>&-
wait "$SQLITE" || fail "sqlite3: $(cat "$TEST_DIR/sql.out")"
wait_for 5 answers /readyz 200 ok || fail "/readyz after the database was released: $CODE $BODY"
expect /healthz/store 200 ok

echo "# userns: the namespace holder is killed while the loop is held (it replaces the holder)"
holder=$(holder_pid)
[ -n "$holder" ] && kill -0 "$holder" || fail "no namespace holder"
curl -sS -X POST -o "$TEST_DIR/block.out" -w '%{http_code}' --max-time 20 --unix-socket "$SOCK" \
    "http://localhost/debug/block-loop?seconds=6" >"$TEST_DIR/block.code" 2>&1 &
BLOCK=$!
wait_for 6 answers /livez 500 "[-]loop failed" || fail "the loop is not held: $CODE $BODY"
kill -9 "$holder"
wait_for 3 answers /readyz 500 "[-]userns failed" || fail "/readyz without the holder: $CODE $BODY"
expect_not /readyz "[+]userns ok"
expect "/readyz?verbose" 500 "[-]userns failed: the user namespace holder (pid $holder) is gone" "[+]store ok"
assert_eq "$(last_line)" "readyz check failed" "last line"
expect /healthz/userns 500
expect /healthz 500 "[-]userns failed"
wait "$BLOCK" || fail "POST /debug/block-loop failed: $(cat "$TEST_DIR/block.out")"
echo "# the loop goes on and starts a new holder"
wait_for 20 answers /readyz 200 ok || fail "/readyz after the holder was replaced: $CODE $BODY"
new=$(holder_pid)
[ -n "$new" ] && [ "$new" != "$holder" ] || fail "no new holder (was $holder, now '$new')"
expect /healthz/userns 200 ok

echo "# without --debug-hooks there is no debug endpoint"
stop_orcd
start_orcd
http POST "/debug/block-loop?seconds=3"
[[ "$CODE" != 2?? ]] || fail "POST /debug/block-loop answered $CODE without --debug-hooks"
expect /healthz/loop 200 ok
echo "PASS: $TEST_NAME"
