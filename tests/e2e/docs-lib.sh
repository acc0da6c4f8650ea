# Helpers of the test-docs-*.sh suites: the Kubernetes documentation's examples run with the
# real kubectl against one orcd, with the images the examples name built locally
# (build-docs-images.sh) and loaded under those names. Sourced after lib.sh.

DOCS=$ORC_SOURCE_DIR/tests/e2e/docs-examples

# An agent for the examples: the examples' images loaded under their own names; their
# registries pointed at a name that cannot resolve, so that an implied Always pull fails at
# once as unreachable and the stored image stands in (never a download); kubectl set up.
docs_setup() {
    setup
    command -v kubectl >/dev/null || skip "kubectl missing"
    command -v nsenter >/dev/null || skip "nsenter missing (util-linux)"
    mkdir -p "$XDG_CONFIG_HOME/containers"
    cat >"$XDG_CONFIG_HOME/containers/registries.conf" <<CONF
[[registry]]
prefix = "docker.io"
location = "offline.invalid"
[[registry]]
prefix = "registry.k8s.io"
location = "offline.invalid"
[[registry]]
prefix = "gcr.io"
location = "offline.invalid"
[[registry]]
prefix = "k8s.gcr.io"
location = "offline.invalid"
CONF
    start_orcd "$@"
    local images i
    images=$(docs_images) || fail "build-docs-images.sh failed"
    for i in busybox nginx redis hello-app agnhost; do
        "$ORC" image load "$images/$i" >/dev/null || fail "image load $i failed"
    done
    kubectl_setup
}

# The examples' images, built once per version of the scripts that make them: in
# $ORC_TEST_CACHE (the build tree's test-cache, set by CMakeLists.txt) when set, shared by
# the suites (made in a scratch directory and renamed into place, so suites running side by
# side never see half an image), else in the test's own directory. Prints the directory.
docs_images() {
    local sum dir tmp
    if [ -z "${ORC_TEST_CACHE:-}" ]; then
        "$ORC_SOURCE_DIR/tests/e2e/build-docs-images.sh" "$TEST_DIR/images" >/dev/null || return 1
        echo "$TEST_DIR/images"
        return
    fi
    sum=$(cat "$ORC_SOURCE_DIR"/tests/e2e/build-{docs-images,test-image}.sh | sha256sum | cut -c1-16)
    dir=$ORC_TEST_CACHE/docs-images-$sum
    if [ ! -d "$dir" ]; then
        mkdir -p "$ORC_TEST_CACHE"
        tmp=$(mktemp -d "$ORC_TEST_CACHE/.tmp-docs-images.XXXXXX")
        "$ORC_SOURCE_DIR/tests/e2e/build-docs-images.sh" "$tmp/images" >/dev/null || { rm -rf "$tmp"; return 1; }
        mv -T "$tmp/images" "$dir" 2>/dev/null || true # another suite's copy won the race
        rm -rf "$tmp"
    fi
    echo "$dir"
}

# kubectl with an example file: kdocs apply -f pods/inject/x.yaml
kdocs() {
    local args=() a
    for a in "$@"; do
        case $a in
            *.yaml | *.json) [ -f "$DOCS/$a" ] && a=$DOCS/$a ;;
        esac
        args+=("$a")
    done
    k "${args[@]}"
}

# A table as kubectl prints it with its AGE column (the last) and runs of blanks normalised,
# so that the page's output and orc's compare: "NAME READY STATUS RESTARTS AGE" /
# "x 1/1 Running 0 AGE".
norm_table() {
    awk 'NR > 1 && $NF ~ /^[0-9]+(s|m|h|d)([0-9]+(s|m))?$/ { $NF = "AGE" } { $1 = $1; print }'
}
assert_table() { # ACTUAL EXPECTED MESSAGE
    assert_eq "$(norm_table <<<"$1")" "$(norm_table <<<"$2")" "$3"
}

pod_uid() { "$ORC" get pod "$1" -o json | jq -r .metadata.uid; }

# docs_exec POD CONTAINER CMD...: what `kubectl exec POD -c CONTAINER -- CMD` shows, for pages
# that use it (orc serves no exec yet): the runtime's own exec, with the container's process
# (environment, user, groups, capabilities, working directory) from its OCI spec and the
# pod's network, IPC and UTS namespaces, as a CRI runtime execs.
docs_exec() {
    local pod=$1 container=$2 uid shim
    shift 2
    uid=$(pod_uid "$pod") || return 1
    shim=$(cat "$XDG_RUNTIME_DIR/orc/pods/$uid/shim.pid") || return 1
    nsenter -t "$shim" -U -n -u -i -- \
        "$OCI_RUNTIME" --root "$XDG_RUNTIME_DIR/orc/runc" exec "$uid-$container" "$@" </dev/null 2>&1
}

# The page's kubectl logs output once the container has written it: waits until the log
# has at least LINES lines.
wait_for_log_lines() { # POD LINES [TIMEOUT]
    wait_for "${3:-30}" eval "[ \$(k logs $1 | wc -l) -ge $2 ]" ||
        fail "pod $1 did not log $2 lines: $(k logs "$1")"
}
