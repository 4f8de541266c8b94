#!/bin/sh
# Lists C sources for meson: `list-files.sh DIR lib` gives every .c under DIR
# except src/cli; `list-files.sh DIR all` every .c under DIR; `... tests` the
# test_*.c files.  Paths are relative to the project root, sorted.
cd "$(dirname "$0")/.." || exit 1
case "$2" in
lib) find "$1" -name '*.c' -not -path 'src/cli/*' | LC_ALL=C sort ;;
tests) find "$1" -name 'test_*.c' | LC_ALL=C sort ;;
*) find "$1" -name '*.c' | LC_ALL=C sort ;;
esac
