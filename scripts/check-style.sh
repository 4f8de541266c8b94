#!/bin/sh
# House-style checks on the C sources (docs/STYLE.md): banned functions, and
# no abort()/exit() in the library.  Prints offending lines; exits 1 if any.
cd "$(dirname "$0")/.." || exit 1
bad=0
if grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|atof|strtok|sscanf)[[:space:]]*\(' \
    include src tests bench --include='*.c' --include='*.h'; then
    echo "banned function used (see docs/STYLE.md)"
    bad=1
fi
if grep -rnE '\b(abort|exit|_exit)[[:space:]]*\(' include src --include='*.c' --include='*.h' \
    | grep -v '^src/cli/'; then
    echo "the library must return errors, never abort or exit"
    bad=1
fi
[ $bad = 0 ] && echo "1 passed, 0 failed"
exit $bad
