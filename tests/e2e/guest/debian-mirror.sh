#!/bin/sh
# debian-mirror.sh: prints the Debian mirror this machine's apt uses for its release (from
# /etc/apt/sources.list.d/*.sources and /etc/apt/sources.list), so that nothing else ever
# names one. Exit 1 when there is none.
set -eu
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas: the URIs of one whose Suites name the release itself
    awk -v rel="$codename" '
        /^[[:space:]]*$/ { if (uris != "" && suites ~ ("(^| )" rel "( |$)") && types ~ /deb( |$)/) { print uris; exit } uris = suites = types = ""; next }
        /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); split($0, u, " "); uris = u[1] }
        /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
        /^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
        END { if (uris != "" && suites ~ ("(^| )" rel "( |$)") && types ~ /deb( |$)/) print uris }' "$f"
done | head -1 | grep . && exit 0
if [ -f /etc/apt/sources.list ]; then
    awk -v rel="$codename" '$1 == "deb" && $3 == rel { print $2; exit }' /etc/apt/sources.list | grep . && exit 0
fi
echo "debian-mirror: no apt source for $codename" >&2
exit 1
