#!/bin/sh
# orc without an agent, and orc's own usage errors: exact messages and exit codes.
# Usage: no-agent.sh PATH-TO-ORC
ORC=${1:?usage: no-agent.sh ORC}
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
failed=0

# expect CODE WANT-STDERR-SUBSTRING ARGS...
expect() {
    code=$1 want=$2
    shift 2
    ORC_SOCKET=$dir/missing.sock "$ORC" "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    if [ "$rc" -ne "$code" ] || ! grep -qF -- "$want" "$dir/err"; then
        echo "not ok - orc $*: exit $rc (want $code), stderr:"
        sed 's/^/#   /' "$dir/err"
        echo "#   wanted: $want"
        failed=1
    else
        echo "ok - orc $*"
    fi
}

# systemctl is named only on a machine booted with systemd (sd_booted's test)
msg="error: cannot connect to orcd at $dir/missing.sock: is the agent running? Start it with 'orcd'"
[ -e /run/systemd/system ] && msg="$msg or 'systemctl --user start orcd'"
expect 1 "$msg" get pods
expect 1 "$msg" version
expect 1 "$msg" --socket "$dir/missing.sock" describe pod x
expect 1 'error: unknown command "frobnicate" for "orc"' frobnicate
expect 1 "Run 'orc --help' for usage." frobnicate
expect 1 "error: unknown flag: --bogus" get pods --bogus
expect 1 "See 'orc get --help' for usage." get pods --bogus
expect 1 "error: unknown shorthand flag: 'z' in -z" logs x -z
expect 1 "error: flag needs an argument: 'f' in -f" apply -f
expect 1 'error: the path "'"$dir"'/nope.yaml" does not exist' apply -f "$dir/nope.yaml"
expect 1 'error: the server doesn'"'"'t have a resource type "deployments"' get deployments
expect 1 'unable to match a printer suitable for the output format "xml"' get pods -o xml
expect 1 'invalid argument "soon" for "--wait"' delete pod x --wait=soon
# the image verbs fail as podman's do, with 125: the agent unreachable, usage errors alike
expect 125 "$msg" images
expect 125 "$msg" image ls
expect 125 "$msg" image inspect busybox
expect 125 "$msg" image prune
expect 125 "$msg" rmi busybox
expect 125 "$msg" pull busybox
expect 125 "$msg" image pull busybox
expect 125 'error: the path "'"$dir"'/nope" does not exist' load "$dir/nope"
expect 125 'error: unknown command "frob" for "orc image"' image frob
expect 125 "error: pull takes exactly one IMAGE" pull
expect 125 "error: unknown flag: --bogus" images --bogus

# install and uninstall without a systemd user manager (a stand-in systemctl on PATH: this
# test never talks to the real one)
mkdir -p "$dir/home" "$dir/down" "$dir/half"
printf '#!/bin/sh\necho "Failed to connect to bus: No medium found" >&2\nexit 1\n' >"$dir/down/systemctl"
printf '#!/bin/sh\ncase "$*" in *show-environment*) exit 0;; esac\necho "Failed to connect to bus" >&2\nexit 1\n' \
    >"$dir/half/systemctl"
chmod +x "$dir/down/systemctl" "$dir/half/systemctl"
unit=$dir/home/.config/systemd/user/orcd.service
# systemd BIN VERB ARGS...: orc VERB with that systemctl first on PATH, HOME in $dir
systemd() {
    bin=$1
    shift
    env -u XDG_CONFIG_HOME HOME="$dir/home" PATH="$dir/$bin:$PATH" "$ORC" "$@" >"$dir/out" 2>"$dir/err"
}
check() { # WHAT CONDITION...
    what=$1
    shift
    if "$@"; then echo "ok - $what"; else echo "not ok - $what"; sed 's/^/#   /' "$dir/out" "$dir/err"; failed=1; fi
}
systemd down install --orcd "$ORC"
check "install without a user manager fails" [ $? -eq 1 ]
check "and says so" grep -q "^error: cannot reach your systemd user manager: .*Nothing was installed" "$dir/err"
check "and writes nothing" [ ! -e "$unit" ]
systemd half install --orcd "$ORC"
check "install fails when systemctl does" [ $? -eq 1 ]
check "and removes the unit it wrote" [ ! -e "$unit" ]
check "saying so" grep -q "removed $unit again" "$dir/err"
mkdir -p "$(dirname "$unit")/default.target.wants"
echo "[Unit]" >"$unit"
ln -s ../orcd.service "$(dirname "$unit")/default.target.wants/orcd.service"
systemd down uninstall
check "uninstall without a user manager removes the files: exit 0" [ $? -eq 0 ]
check "with a warning" grep -q "^warning: systemctl --user cannot reach your systemd user manager" "$dir/err"
check "the unit is gone" [ ! -e "$unit" ]
check "and its link" [ ! -L "$(dirname "$unit")/default.target.wants/orcd.service" ]
systemd down uninstall
check "uninstall with nothing installed: exit 0" [ $? -eq 0 ]

# the client version needs no agent
ORC_SOCKET=$dir/missing.sock "$ORC" version --client >"$dir/out" 2>&1
if [ $? -eq 0 ] && grep -q '^Client Version: v' "$dir/out"; then
    echo "ok - version --client"
else
    echo "not ok - version --client"; failed=1
fi
# help goes to stdout, exit 0, for the tool and every verb: the tool's usage line, or the
# verb's own page (NAME: "orc VERB - ...")
for verb in "" apply get describe delete logs events image version; do
    want="orc $verb - "
    [ -n "$verb" ] || want="Usage: orc "
    "$ORC" $verb --help >"$dir/out" 2>"$dir/err"
    rc=$?
    if [ $rc -eq 0 ] && grep -qF -- "$want" "$dir/out" && [ ! -s "$dir/err" ]; then
        echo "ok - orc $verb --help"
    else
        echo "not ok - orc $verb --help: exit $rc (want 0), stdout without '$want' or stderr:"
        sed 's/^/#   /' "$dir/err"
        failed=1
    fi
done
exit $failed
