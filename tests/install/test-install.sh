#!/bin/sh
# test-install.sh SOURCE-DIR C-COMPILER WERROR
#
# Builds orc as a distribution package would: prefix /usr, CMAKE_INSTALL_LIBEXECDIR=lib/weird,
# `cmake --install` into a DESTDIR. Checks the layout (orc and orcd in bin/, orc-shim and the
# CNI plugins only in lib/weird/orc/, the READMEs in share/doc/orc/), that the installed orcd
# finds orc-shim and its plugins from its own directory (its debug log names them; with no
# HOME and no XDG variables it stops right after), that `orc install` writes a unit naming
# the installed orcd and README, and that both still hold once the tree is moved elsewhere.
set -u
src=${1:?usage: test-install.sh SOURCE-DIR C-COMPILER WERROR}
cc=${2:?}
werror=${3:-OFF}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
tmp=$(cd "$tmp" && pwd -P)
n=0
failed=0
ok() {
    n=$((n + 1))
    echo "ok $n - $*"
}
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $*"
    failed=1
}
check() { # DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}
contains() { # TEXT WANTED
    case $1 in *"$2"*) return 0 ;; esac
    echo "# wanted: $2"
    printf '%s\n' "$1" | sed 's/^/#   /'
    return 1
}
step() { # DESCRIPTION COMMAND...: output to the log, shown on failure; a failure ends the test
    what=$1
    shift
    if "$@" >"$tmp/step.log" 2>&1; then
        ok "$what"
    else
        not_ok "$what"
        sed 's/^/#   /' "$tmp/step.log" | tail -40
        echo "1..$n"
        exit 1
    fi
}

step "configure with CMAKE_INSTALL_LIBEXECDIR=lib/weird" \
    env CC="$cc" cmake -S "$src" -B "$tmp/build" -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_INSTALL_LIBEXECDIR=lib/weird -DORC_WERROR="$werror"
step "build what is installed" \
    cmake --build "$tmp/build" -j2 --target orcd orc orc-shim loopback slirp port-forward
step "install into a DESTDIR" env DESTDIR="$tmp/dest" cmake --install "$tmp/build"

# layout: root LIBEXEC
layout() {
    root=$1
    for f in bin/orcd bin/orc lib/weird/orc/orc-shim lib/weird/orc/cni/loopback \
        lib/weird/orc/cni/slirp lib/weird/orc/cni/port-forward; do
        check "$f installed" test -x "$root/$f"
    done
    for f in bin/orc-shim bin/loopback libexec; do
        check "no $f" test ! -e "$root/$f"
    done
    for f in README.md ARCHITECTURE.md agent/README.md agent/cli/README.md \
        runtime-shim/README.md cni-plugins/README.md cni-plugins/slirp/README.md; do
        check "share/doc/orc/$f installed" test -f "$root/share/doc/orc/$f"
    done
}

# the helpers orcd and orc find, from wherever the tree is: root
finds() {
    root=$1
    out=$(env -i "$root/bin/orcd" --log-level debug 2>&1)
    rc=$?
    check "orcd without HOME stops (exit $rc)" test "$rc" -eq 1
    check "orcd finds orc-shim in $root/lib/weird/orc" \
        contains "$out" "orc-shim: '$root/lib/weird/orc/orc-shim'"
    check "orcd finds its CNI plugins in $root/lib/weird/orc/cni" \
        contains "$out" "orc's CNI plugins: '$root/lib/weird/orc/cni'"
    # orc install, with a stand-in systemctl that answers everything (it refuses to write
    # anything when no user manager answers)
    mkdir -p "$tmp/fakebin"
    printf '#!/bin/sh\nexit 0\n' >"$tmp/fakebin/systemctl"
    chmod +x "$tmp/fakebin/systemctl"
    rm -rf "$tmp/config"
    env -i HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" PATH="$tmp/fakebin" \
        "$root/bin/orc" install >/dev/null 2>&1
    unit=$(cat "$tmp/config/systemd/user/orcd.service" 2>/dev/null)
    check "orc install names the installed orcd" contains "$unit" "
ExecStart=$root/bin/orcd
"
    check "orc install points Documentation= at the installed README" contains "$unit" "
Documentation=file://$root/share/doc/orc/agent/README.md
"
}

layout "$tmp/dest/usr"
finds "$tmp/dest/usr"
mv "$tmp/dest/usr" "$tmp/moved"
finds "$tmp/moved"
echo "1..$n"
exit "$failed"
