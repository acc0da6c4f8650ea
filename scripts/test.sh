#!/bin/bash
# The whole test suite: unit and end-to-end tests, in a normal and an ASan+UBSan build,
# plus a bounded fuzzing run. As root it first installs the dependencies, creates the
# unprivileged user `orc-test` (with a subordinate uid/gid range) and runs everything
# else as that user: the end-to-end tests must prove that orc works without privileges.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
TEST_USER=orc-test
WORK=/var/tmp/orc-test
GUEST_CACHE=${ORC_GUEST_CACHE:-/var/tmp/orc-guest-cache} # outside the checkout, kept between runs

as_root() {
    "$SRC/scripts/install-deps.sh"
    if ! id "$TEST_USER" >/dev/null 2>&1; then
        useradd -m -s /bin/bash "$TEST_USER"
    fi
    grep -q "^$TEST_USER:" /etc/subuid || usermod --add-subuids 100000-165535 "$TEST_USER"
    grep -q "^$TEST_USER:" /etc/subgid || usermod --add-subgids 100000-165535 "$TEST_USER"
    # what distributions ship: a tun device every user may open
    [ -c /dev/net/tun ] && chmod 0666 /dev/net/tun
    # what logind gives every user: /run/user/UID, a small private tmpfs (the disk-full test
    # fills it)
    local uid gid
    uid=$(id -u "$TEST_USER") gid=$(id -g "$TEST_USER")
    if ! mountpoint -q "/run/user/$uid"; then
        mkdir -p "/run/user/$uid"
        mount -t tmpfs -o "size=64m,mode=0700,uid=$uid,gid=$gid" tmpfs "/run/user/$uid"
    fi
    # the Debian guest with systemd for the cgroup tests (debootstrap needs root; cached)
    sh "$SRC/tests/e2e/guest/build-guest.sh" "$GUEST_CACHE"
    rm -rf "$WORK"
    mkdir -p "$WORK"
    cp -a "$SRC/." "$WORK/src"
    rm -rf "$WORK/src/build" "$WORK/src/build-asan" "$WORK/src/build-fuzz"
    chown -R "$TEST_USER:" "$WORK"
    exec runuser -u "$TEST_USER" -- env -i PATH="$PATH" HOME="/home/$TEST_USER" \
        LANG=C.UTF-8 CI="${CI:-}" ORC_TEST_STRICT="${ORC_TEST_STRICT:-}" ORC_GUEST_CACHE="$GUEST_CACHE" \
        bash "$WORK/src/scripts/test.sh" --as-user
}

passed=0
failed=0
run_ctest() { # build-dir label-args...
    local dir=$1; shift
    local log=$dir/ctest.log
    set +e
    (cd "$dir" && ctest --output-on-failure -j"${CTEST_JOBS:-2}" "$@") 2>&1 | tee "$log"
    set -e
    local p f
    p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log" || true)
    f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* (\*\*\*|Failed|Not Run|Timeout|Exception)' "$log" || true)
    passed=$((passed + p))
    failed=$((failed + f))
    if ! grep -q "tests passed, 0 tests failed" "$log"; then
        failed=$((failed + (f == 0 ? 1 : 0)))
    fi
}

# After a suite: nothing the tests started may still run (a pod whose test could not delete
# it, an agent, a namespace holder, a network helper). Listed, counted as a failure, killed.
leftovers() { # label
    local me p n=0
    me=$(readlink /proc/self/ns/user)
    for p in $(pgrep -u "$(id -u)"); do
        if [ "$(readlink "/proc/$p/ns/user" 2>/dev/null)" != "$me" ] ||
            grep -qxE 'orcd|orc-shim|slirp|port-forward' "/proc/$p/comm" 2>/dev/null; then
            [ $n -eq 0 ] && echo "FAIL: processes left running after the $1 tests:"
            ps -o pid=,etime=,args= -p "$p" | cut -c1-160
            n=$((n + 1))
            kill -9 "$p" 2>/dev/null
        fi
    done
    if [ $n -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

build() { # dir cc cmake-args...
    local dir=$1 cc=$2; shift 2
    CC=$cc cmake -S "$SRC" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORC_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j2 >/dev/null
}

# The systemd guest (QEMU, software emulation) with the gcc build shared read-only.
guest_suite() {
    echo "== guest: Debian 12 with systemd under QEMU (delegation, limits, orc check, orc install)"
    if [ ! -f "$GUEST_CACHE/root.img" ]; then
        echo "no guest image in $GUEST_CACHE (built by scripts/test.sh as root)"
        if [ -n "${ORC_TEST_STRICT:-}" ]; then failed=$((failed + 1)); fi
        return 0
    fi
    # the suites' test image, built here once: under emulation it takes minutes
    rm -rf "$SRC/build/guest-test-image"
    sh "$SRC/tests/e2e/build-test-image.sh" "$SRC/build/guest-test-image" >/dev/null
    local suite
    for suite in suite-systemd.sh suite-service.sh suite-watchdog.sh; do
        if sh "$SRC/tests/e2e/guest/run-guest.sh" "$GUEST_CACHE" "$SRC" "$suite" 900; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    done
}

as_user() {
    cd "$SRC"
    [ "${CI:-}" = true ] && export ORC_TEST_STRICT=1
    local clang=gcc
    command -v clang >/dev/null && clang=clang
    echo "== format (clang-format)"
    if sh "$SRC/scripts/check-format.sh"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    echo "== build (gcc)"
    build "$SRC/build" gcc
    echo "== unit and end-to-end tests"
    run_ctest "$SRC/build"
    leftovers "gcc build's"
    guest_suite
    echo "== build (ASan + UBSan, $clang)"
    build "$SRC/build-asan" "$clang" -DORC_SANITIZE=address,undefined
    echo "== unit and end-to-end tests under ASan + UBSan"
    # one test at a time: sanitized binaries are slow, and the e2e tests have deadlines
    CTEST_JOBS=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_ctest "$SRC/build-asan"
    leftovers "sanitized build's"
    if [ "$clang" = clang ]; then
        echo "== fuzz (libFuzzer, bounded)"
        build "$SRC/build-fuzz" clang -DORC_FUZZ=ON
        run_ctest "$SRC/build-fuzz" -L fuzz
    fi
    echo
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

case "${1:-}" in
    --as-user) as_user ;;
    *) if [ "$(id -u)" = 0 ]; then as_root; else as_user; fi ;;
esac
