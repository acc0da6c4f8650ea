#!/bin/bash
# The Kubernetes documentation's configure-pod-container/share-process-namespace task with the
# real kubectl, as its page runs it (pods/share-process-namespace.yaml: nginx and a busybox
# `shell` container with a terminal and stdin, one PID namespace), each output the page shows
# asserted (pids and the order of the processes aside: they are the page's cluster's; and the
# TIME column, which the busybox ps of the examples' image, Debian's busybox-static, does not
# print).
# Adapted, and why: orc serves no attach yet, so the commands the page types at the `shell`
# container's prompt (`kubectl attach -it nginx -c shell`: ps ax, kill -HUP, head) run in that
# container through docs_exec; that the container has a terminal and a stdin to attach to is
# asserted instead. The page's `ps ax` shows the attached `sh` where the example as published
# runs `sleep 3600` (its command): orc shows `sleep 3600` there.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/docs-lib.sh"
docs_setup

# ps ax as the page and orc print it, comparable: blanks normalised, every pid but the pod's
# init (1) as N, the processes after the header in sorted order
ps_norm() { awk 'NR == 1 { $1 = $1; print; fflush(); next } { if ($1 != 1) $1 = "N"; $1 = $1; print | "sort" }'; }
# the page's ps ax without its TIME column
page_ps() { sed -E 's/^(PID +USER +)TIME +/\1/; s/^( *[0-9]+ +[^ ]+ +)[0-9]+:[0-9]{2} +/\1/'; }
ps_pid() { awk -v cmd="$1" '{ c = $0; sub(/^ *[0-9]+ +[^ ]+ +/, "", c) } c == cmd { print $1 }'; }
in_shell() { docs_exec nginx shell "$@"; }

assert_eq "$(kdocs apply -f pods/share-process-namespace.yaml)" "pod/nginx created" \
    "kubectl apply -f share-process-namespace.yaml"
wait_for_phase nginx Running
wait_for 30 eval '[ -n "$(in_shell ps ax | ps_pid "nginx: worker process")" ]' ||
    fail "no nginx worker: $(in_shell ps ax)"

echo "# kubectl attach -it nginx -c shell: a terminal with stdin to attach to"
out=$(in_shell ps ax)
sleep_pid=$(ps_pid "sleep 3600" <<<"$out")
[ -n "$sleep_pid" ] || fail "no sleep 3600 in the shell container: $out"
for fd in 0 1 2; do
    assert_eq "$(in_shell readlink /proc/"$sleep_pid"/fd/$fd)" "/dev/pts/0" \
        "the shell container's fd $fd is its terminal"
done
assert_eq "$(in_shell stty -F /dev/pts/0 size)" "24 80" "a terminal of 24 rows, 80 columns"

echo "# / # ps ax"
page='PID   USER     TIME  COMMAND
    1 root      0:00 /pause
    8 root      0:00 nginx: master process nginx -g daemon off;
   14 101       0:00 nginx: worker process
   15 root      0:00 sh
   21 root      0:00 ps ax'
assert_eq "$(ps_norm <<<"$out")" "$(page_ps <<<"$page" | sed 's/ sh$/ sleep 3600/' | ps_norm)" "ps ax"
grep -Eqx ' +1 root +/pause' <<<"$out" || fail "PID 1 is not the pod's /pause: $out"
master=$(ps_pid "nginx: master process nginx -g daemon off;" <<<"$out")
worker=$(ps_pid "nginx: worker process" <<<"$out")

echo "# / # kill -HUP $master; ps ax"
assert_eq "$(in_shell kill -HUP "$master")" "" "kill -HUP of the other container's nginx"
new_worker() {
    out=$(in_shell ps ax)
    local w
    w=$(ps_pid "nginx: worker process" <<<"$out")
    [ -n "$w" ] && [ "$w" != "$worker" ]
}
wait_for 20 new_worker || fail "nginx did not start a new worker (the old one was $worker): $out"
page='PID   USER     TIME  COMMAND
    1 root      0:00 /pause
    8 root      0:00 nginx: master process nginx -g daemon off;
   15 root      0:00 sh
   22 101       0:00 nginx: worker process
   23 root      0:00 ps ax'
assert_eq "$(ps_norm <<<"$out")" "$(page_ps <<<"$page" | sed 's/ sh$/ sleep 3600/' | ps_norm)" "ps ax after SIGHUP"
assert_eq "$(ps_pid "nginx: master process nginx -g daemon off;" <<<"$out")" "$master" \
    "the same master, a new worker"

echo "# / # head /proc/$master/root/etc/nginx/nginx.conf"
assert_eq "$(in_shell head /proc/"$master"/root/etc/nginx/nginx.conf)" "
user  nginx;
worker_processes  1;

error_log  /var/log/nginx/error.log warn;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;" "the other container's file through /proc/PID/root"
assert_eq "$(pod_field nginx '[.status.containerStatuses[] | .restartCount] | add')" 0 \
    "nothing restarted"
echo "PASS: $TEST_NAME"
