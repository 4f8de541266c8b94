#!/usr/bin/env bash
# Runs every example command in the given files and compares its output.
#
# In a .md file, examples live in ```console blocks; in a .t file the whole
# file is one block.  A block holds commands, each a line starting "$ ", then
# the expected output (stdout and stderr together) until the next "$ " line or
# the block's end.  A last output line "[exit N]" states a non-zero exit code.
# Lines starting "# " before a command are comments.  Commands run from the
# repository root with `rctkit` meaning the binary under test.
#
# usage: run_examples.sh RCTKIT_BINARY FILE...
set -u
bin=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
export RCTKIT_BIN=$bin
rctkit() { "$RCTKIT_BIN" "$@"; }
export -f rctkit

pass=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # file line command expected-file
    local file=$1 line=$2 cmd=$3 want=$4 code=0 wantcode=0
    if [ -s "$want" ] && tail -n 1 "$want" | grep -qE '^\[exit [0-9]+\]$'; then
        wantcode=$(tail -n 1 "$want" | tr -dc 0-9)
        sed -i '$ d' "$want"
    fi
    bash -c "$cmd" >"$tmp/got" 2>&1 || code=$?
    if [ "$code" != "$wantcode" ] || ! diff -u "$want" "$tmp/got" >"$tmp/diff"; then
        echo "FAIL $file:$line: $cmd"
        [ "$code" != "$wantcode" ] && echo "  exit code $code, expected $wantcode"
        sed 's/^/  /' "$tmp/diff" | head -40
        failed=$((failed + 1))
    else
        pass=$((pass + 1))
    fi
}

for f in "$@"; do
    inblock=0
    [ "${f##*.}" = t ] && inblock=1
    cmd=""
    cmdline=0
    n=0
    : >"$tmp/want"
    while IFS= read -r l || [ -n "$l" ]; do
        n=$((n + 1))
        if [ "${f##*.}" = md ]; then
            if [ $inblock = 0 ]; then
                [ "$l" = '```console' ] && inblock=1
                continue
            fi
            if [ "$l" = '```' ]; then
                [ -n "$cmd" ] && check "$f" "$cmdline" "$cmd" "$tmp/want"
                cmd=""
                : >"$tmp/want"
                inblock=0
                continue
            fi
        fi
        case "$l" in
        '$ '*)
            [ -n "$cmd" ] && check "$f" "$cmdline" "$cmd" "$tmp/want"
            cmd=${l#\$ }
            cmdline=$n
            : >"$tmp/want"
            ;;
        '# '*) [ -z "$cmd" ] || printf '%s\n' "$l" >>"$tmp/want" ;;
        *) [ -n "$cmd" ] && printf '%s\n' "$l" >>"$tmp/want" ;;
        esac
    done <"$f"
    [ -n "$cmd" ] && check "$f" "$cmdline" "$cmd" "$tmp/want"
done
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
