# Helpers of the suites that pull from real registries: Debian's docker-registry serving on
# loopback, images pushed to it with skopeo. Sourced after lib.sh and setup.

# The tools these suites need; skips without them (fails in strict mode).
registry_prerequisites() {
    local tool
    for tool in docker-registry skopeo htpasswd python3; do
        command -v $tool >/dev/null || skip "$tool missing (packages docker-registry, skopeo, apache2-utils, python3)"
    done
}
registry_up() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v2/" | grep -qE '^(200|401)$'; }
# start_registry NAME PORT [AUTH-YAML]: a registry on 127.0.0.1:PORT, its storage and log in
# $TEST_DIR/NAME, stopped at cleanup
start_registry() {
    local dir=$TEST_DIR/$1
    mkdir -p "$dir"
    {
        echo "version: 0.1"
        echo "log: {level: error}"
        echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
        echo "http: {addr: 127.0.0.1:$2}"
        [ -z "${3:-}" ] || echo "auth: $3"
    } >"$dir/config.yml"
    docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    on_cleanup "kill $(cat "$dir/pid")"
    wait_for 20 registry_up "$2" || fail "registry $1 did not start: $(cat "$dir/log")"
}
push() { # LAYOUT[:REF] PORT/REPO:TAG [CREDS]
    skopeo copy --all --dest-tls-verify=false ${3:+--dest-creds "$3"} "oci:$1" \
        "docker://127.0.0.1:$2" >/dev/null 2>"$TEST_DIR/skopeo.err" || fail "push $2: $(cat "$TEST_DIR/skopeo.err")"
}
# push_raw LAYOUT PORT REPO TAG: the layout's blobs and manifest as they are, through the
# distribution API with curl (skopeo recompresses uncompressed layers on the way)
push_raw() {
    local blobs=$1/blobs/sha256 m loc
    m=$(jq -r '.manifests[0].digest' "$1/index.json")
    for d in $(jq -r '.config.digest, .layers[].digest' "$blobs/${m#sha256:}"); do
        loc=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$2/v2/$3/blobs/uploads/" |
            tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
        case $loc in http*) ;; *) loc=http://127.0.0.1:$2$loc ;; esac
        curl -sf -X PUT -H "Content-Type: application/octet-stream" --data-binary "@$blobs/${d#sha256:}" \
            "$loc&digest=$d" >/dev/null || fail "push_raw blob $d"
    done
    curl -sf -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" \
        --data-binary "@$blobs/${m#sha256:}" "http://127.0.0.1:$2/v2/$3/manifests/$4" >/dev/null ||
        fail "push_raw manifest"
}
