#!/bin/sh
# Each binary's --help and its README name the same options (and the CNI plugins the same
# configuration keys), so that neither can grow an option the other does not document.
# Usage: help-and-readme.sh SOURCE-DIR ORCD ORC ORC-SHIM CNI-BIN-DIR
src=${1:?usage: help-and-readme.sh SOURCE-DIR ORCD ORC ORC-SHIM CNI-BIN-DIR}
ORCD=$2 ORC=$3 SHIM=$4 CNI=$5
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
failed=0 n=0

longs() { grep -o -- '--[a-z][a-z0-9-]*' | grep -vx -- '--'; }
# section FILE NAME: the lines of the README's "## NAME" section
section() { sed -n "/^## $2\$/,/^## /p" "$1" | sed '1d;$d'; }
# same WHAT A B: the files A and B hold the same lines
same() {
    n=$((n + 1))
    if diff -u "$2" "$3" >"$dir/diff"; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        sed 's/^/#   /' "$dir/diff"
        failed=1
    fi
}

# orcd: the usage's options, the SYNOPSIS and the OPTIONS table, in one order
"$ORCD" --help | grep -E '^  -' | longs >"$dir/orcd-help"
section "$src/agent/README.md" SYNOPSIS | longs >"$dir/orcd-synopsis"
section "$src/agent/README.md" OPTIONS | grep '^| `' | cut -d'|' -f2 | longs >"$dir/orcd-table"
same "orcd: --help and the README's SYNOPSIS" "$dir/orcd-help" "$dir/orcd-synopsis"
same "orcd: --help and the README's OPTIONS" "$dir/orcd-help" "$dir/orcd-table"

# orc-shim: the same
"$SHIM" --help | longs | sort -u >"$dir/shim-help"
{ section "$src/runtime-shim/README.md" SYNOPSIS
  section "$src/runtime-shim/README.md" OPTIONS | grep '^`'; } | longs | sort -u >"$dir/shim-readme"
same "orc-shim: --help and the README's SYNOPSIS and OPTIONS" "$dir/shim-help" "$dir/shim-readme"
section "$src/runtime-shim/README.md" OPTIONS | grep '^`' | longs | sort -u >"$dir/shim-table"
same "orc-shim: every option of the SYNOPSIS is in OPTIONS" "$dir/shim-readme" "$dir/shim-table"

# orc: the usage lists every command with its options, as the README's COMMANDS and OPTIONS
# do, and those are the options of the commands' own help pages
"$ORC" --help | longs | sort -u >"$dir/orc-help"
{ section "$src/agent/cli/README.md" SYNOPSIS
  section "$src/agent/cli/README.md" COMMANDS | grep '^`'
  section "$src/agent/cli/README.md" OPTIONS | grep '^`'; } | longs | sort -u >"$dir/orc-readme"
for verb in apply get describe delete logs events image pull check top install version kubeconfig unshare; do
    "$ORC" "$verb" --help | sed -n '/^SYNOPSIS/,/^[A-Z]/p;/^OPTIONS/,/^[A-Z]/p' | longs
done | sort -u >"$dir/orc-verbs"
same "orc: --help and the README's COMMANDS and OPTIONS" "$dir/orc-help" "$dir/orc-readme"
# the global options are the usage's own; every other is some command's
grep -vx -e --socket -e --namespace -e --all-namespaces -e --help "$dir/orc-help" >"$dir/orc-local"
grep -vx -e --socket -e --namespace -e --all-namespaces -e --help "$dir/orc-verbs" >"$dir/orc-verbs-local"
same "orc: --help and the commands' help pages" "$dir/orc-local" "$dir/orc-verbs-local"
# the commands and subcommands the README names, in the usage
section "$src/agent/cli/README.md" COMMANDS | grep '^`' | grep -o '`[a-z][a-z ]*' | tr -d '`' |
    sed 's/ *$//' | sort -u >"$dir/orc-commands"
while read -r cmd; do
    "$ORC" --help | grep -q "^  $cmd\\b\\|[(,] *$cmd\\b" || echo "$cmd"
done <"$dir/orc-commands" >"$dir/orc-missing"
same "orc: --help names every command of the README" /dev/null "$dir/orc-missing"

# the CNI plugins: --help names the README's synopsis options and variables and every key of
# its CONFIGURATION
for p in loopback slirp port-forward; do
    readme=$src/cni-plugins/$p/README.md
    "$CNI/$p" --help >"$dir/$p-help"
    { longs <"$dir/$p-help"; grep -o 'CNI_[A-Z]*' "$dir/$p-help"; } | sort -u >"$dir/$p-h"
    section "$readme" SYNOPSIS | { tee "$dir/$p-syn" | longs; grep -o 'CNI_[A-Z]*' "$dir/$p-syn"; } |
        sort -u >"$dir/$p-r"
    same "$p: --help and the README's SYNOPSIS" "$dir/$p-h" "$dir/$p-r"
    section "$readme" CONFIGURATION | grep '^| `' | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' |
        sed 's/^…\[\]\.//' | sort -u >"$dir/$p-keys"
    while read -r key; do grep -qF -- "$key" "$dir/$p-help" || echo "$key"; done \
        <"$dir/$p-keys" >"$dir/$p-missing"
    same "$p: --help names every key of the README's CONFIGURATION" /dev/null "$dir/$p-missing"
done
echo "1..$n"
exit $failed
