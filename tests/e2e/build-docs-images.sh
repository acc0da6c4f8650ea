#!/bin/sh
# build-docs-images.sh OUTDIR
#
# The images the Kubernetes documentation's examples name, built from this machine's Debian
# packages (nothing is downloaded), as OCI layouts under OUTDIR, each carrying the names the
# examples use so that `orc image load` stores them under exactly those names:
#   OUTDIR/busybox   Debian's busybox-static (build-test-image.sh) plus coreutils' printenv
#                    (busybox has no printenv applet) and the C library it needs; named
#                    busybox, busybox:1.28, registry.k8s.io/busybox, registry.k8s.io/busybox:1.27.2,
#                    k8s.gcr.io/busybox, k8s.gcr.io/busybox:1.24
#                    and debian (the examples only run printenv and shell commands in it)
#   OUTDIR/nginx     the same base plus Debian's nginx (binary, libraries, mime.types, the
#                    welcome page), bash and dash as /bin/sh (the official image is Debian's),
#                    and a configuration as the official image has it:
#                    /usr/share/nginx/html on port 80, logs to stdout and stderr, workers as
#                    the user nginx (101); Cmd nginx -g 'daemon off;'; named nginx
#   OUTDIR/redis     the same base plus Debian's redis-server and its libraries, run as the
#                    official image runs it: as the user redis (999, through busybox su), in
#                    /data, listening on *:6379; named redis
#   OUTDIR/agnhost   a stand-in for registry.k8s.io/e2e-test-images/agnhost:2.45 with what the
#                    security-context page shows of it: a user 1000 (user-defined-in-image)
#                    that /etc/group makes a member of group 50000 (group-defined-in-image)
#   OUTDIR/hello-app a stand-in for gcr.io/google-samples/hello-app:2.0 (the busybox image
#                    with httpd answering on 8080), which the examples run but never ask anything of
# Same inputs, same bytes (build-test-image.sh's fixed mtimes and ownership).
set -eu
umask 022
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
for f in /usr/bin/printenv /usr/sbin/nginx /bin/bash /bin/dash /etc/nginx/mime.types \
    /usr/bin/redis-server; do
    [ -e "$f" ] || { echo "$0: $f missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# add_program DIR FILE...: each FILE and the shared libraries it loads, at their paths
add_program() {
    dir=$1
    shift
    for f in "$@"; do
        for p in "$f" $(ldd "$f" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^\s*\(\/[^ ]*\) .*/\1/p'); do
            mkdir -p "$dir$(dirname "$p")"
            cp -L "$p" "$dir$p"
        done
    done
}

# busybox + printenv
bb=$work/busybox-extra
add_program "$bb" /usr/bin/printenv
mkdir -p "$out"
"$here/build-test-image.sh" "$out/busybox" docker.io/library/busybox:latest --add-layer "$bb" \
    --name docker.io/library/busybox:1.28 \
    --name registry.k8s.io/busybox:latest \
    --name registry.k8s.io/busybox:1.27.2 \
    --name k8s.gcr.io/busybox:latest \
    --name k8s.gcr.io/busybox:1.24 \
    --name docker.io/library/debian:latest

# nginx as the official image runs it
ng=$work/nginx-extra
add_program "$ng" /usr/bin/printenv /usr/sbin/nginx /bin/bash /bin/dash
ln -s dash "$ng/bin/sh"
mkdir -p "$ng/etc/nginx/conf.d" "$ng/usr/share/nginx/html" "$ng/var/log/nginx" "$ng/var/run" \
    "$ng/var/cache/nginx" "$ng/var/lib/nginx"
for t in body fastcgi proxy scgi uwsgi; do mkdir -p "$ng/var/lib/nginx/$t"; done
cp /etc/nginx/mime.types "$ng/etc/nginx/mime.types"
ln -s /dev/stdout "$ng/var/log/nginx/access.log"
ln -s /dev/stderr "$ng/var/log/nginx/error.log"
printf 'root:x:0:0:root:/root:/bin/bash\nnginx:x:101:101:nginx user:/nonexistent:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    > "$ng/etc/passwd"
printf 'root:x:0:\nnginx:x:101:\nnogroup:x:65534:\n' > "$ng/etc/group"
cat > "$ng/etc/nginx/nginx.conf" <<'CONF'

user  nginx;
worker_processes  1;

error_log  /var/log/nginx/error.log warn;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    access_log  /var/log/nginx/access.log;
    sendfile        on;
    keepalive_timeout  65;
    include /etc/nginx/conf.d/*.conf;
}
CONF
cat > "$ng/etc/nginx/conf.d/default.conf" <<'CONF'
server {
    listen       80;
    server_name  localhost;
    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }
}
CONF
cat > "$ng/usr/share/nginx/html/index.html" <<'HTML'
<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
</body>
</html>
HTML
"$here/build-test-image.sh" "$out/nginx" docker.io/library/nginx:latest --add-layer "$ng" \
    --cmd '["nginx","-g","daemon off;"]' --config-extra '"StopSignal":"SIGQUIT"'

# redis as the official image runs it
rd=$work/redis-extra
add_program "$rd" /usr/bin/printenv /usr/bin/redis-server /bin/bash
mkdir -p "$rd/data" "$rd/etc"
chmod 1777 "$rd/data"
printf 'root:x:0:0:root:/root:/bin/bash\nredis:x:999:999::/home/redis:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    > "$rd/etc/passwd"
printf 'root:x:0:\nredis:x:999:\nnogroup:x:65534:\n' > "$rd/etc/group"
"$here/build-test-image.sh" "$out/redis" docker.io/library/redis:latest --add-layer "$rd" \
    --cmd '["su","-s","/usr/bin/redis-server","redis"]' --workdir /data

# agnhost stand-in: the image's own user and group the security-context page relies on
ag=$work/agnhost-extra
mkdir -p "$ag/etc"
cp -a "$bb/." "$ag/"
printf 'root:x:0:0:root:/root:/bin/sh\nuser-defined-in-image:x:1000:1000::/home/user-defined-in-image:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    > "$ag/etc/passwd"
printf 'root:x:0:\nuser-defined-in-image:x:1000:\ngroup-defined-in-image:x:50000:user-defined-in-image\nnogroup:x:65534:\n' \
    > "$ag/etc/group"
"$here/build-test-image.sh" "$out/agnhost" registry.k8s.io/e2e-test-images/agnhost:2.45 --add-layer "$ag"

# hello-app stand-in: the examples only need it to run
"$here/build-test-image.sh" "$out/hello-app" gcr.io/google-samples/hello-app:2.0 --add-layer "$bb" \
    --cmd '["httpd","-f","-p","8080","-h","/www"]'
