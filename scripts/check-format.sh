#!/bin/sh
# Fails (and shows the diff) when a C file of the tree is not in .clang-format's layout.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
bad=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for f in $files; do
    if ! clang-format --style=file "$f" | diff -u "$f" - >"$tmp" 2>&1; then
        cat "$tmp"
        bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "format: every C file follows .clang-format"
exit "$bad"
