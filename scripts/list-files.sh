#!/bin/sh
# Lists files for meson, relative to the project root, sorted:
#   list-files.sh DIR lib     every .c under DIR except src/cli
#   list-files.sh DIR all     every .c under DIR
#   list-files.sh DIR tests   the test_*.c files under DIR
#   list-files.sh DIR golden  the *.t golden files under DIR
#   list-files.sh DIR md      the *.md files under DIR
cd "$(dirname "$0")/.." || exit 1
case "$2" in
lib) find "$1" -name '*.c' -not -path 'src/cli/*' | LC_ALL=C sort ;;
tests) find "$1" -name 'test_*.c' | LC_ALL=C sort ;;
golden) find "$1" -name '*.t' | LC_ALL=C sort ;;
md) find "$1" -name '*.md' | LC_ALL=C sort ;;
*) find "$1" -name '*.c' | LC_ALL=C sort ;;
esac
