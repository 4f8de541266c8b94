/* Long-option parsing and usage text for the rctkit commands. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int rk__exit_code(rk_status st)
{
    switch (st) {
    case RK_OK: return RK_EXIT_OK;
    case RK_EINVAL:
    case RK_EPARSE:
    case RK_EIO: return RK_EXIT_USAGE;
    default: return RK_EXIT_FAIL;
    }
}

static long find_opt(const rk__opt *spec, size_t nspec, const char *name, size_t len)
{
    for (size_t i = 0; i < nspec; i++)
        if (strlen(spec[i].name) == len && !strncmp(spec[i].name, name, len)) return (long)i;
    return -1;
}

rk_status rk__args_parse(rk__args *a, const rk__opt *spec, size_t nspec, int argc, char **argv,
                         rk_error *err)
{
    memset(a, 0, sizeof *a);
    a->spec = spec;
    a->nspec = nspec < RK__MAX_OPTS ? nspec : RK__MAX_OPTS;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
            a->help = 1;
            continue;
        }
        if (strncmp(w, "--", 2) != 0 || w[2] == '\0')
            return rk_error_set(err, RK_EINVAL, "unexpected argument '%s' (options start with --)",
                                w);
        const char *name = w + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        long k = find_opt(spec, a->nspec, name, len);
        if (k < 0)
            return rk_error_set(err, RK_EINVAL, "unknown option '--%.*s' (see --help)", (int)len,
                                name);
        if (a->value[k])
            return rk_error_set(err, RK_EINVAL, "option --%s given twice", spec[k].name);
        if (!spec[k].metavar) {
            if (eq) return rk_error_set(err, RK_EINVAL, "option --%s takes no value", spec[k].name);
            a->value[k] = "";
        } else if (eq) {
            a->value[k] = eq + 1;
        } else {
            if (i + 1 >= argc)
                return rk_error_set(err, RK_EINVAL, "option --%s needs a value (%s)",
                                    spec[k].name, spec[k].metavar);
            a->value[k] = argv[++i];
        }
    }
    return RK_OK;
}

const char *rk__arg(const rk__args *a, const char *name)
{
    long k = find_opt(a->spec, a->nspec, name, strlen(name));
    return k < 0 ? NULL : a->value[k];
}

int rk__flag(const rk__args *a, const char *name) { return rk__arg(a, name) != NULL; }

void rk__print_usage(FILE *f, const char *usage, const char *about, const rk__opt *spec,
                     size_t nspec)
{
    fprintf(f, "usage: %s\n\n%s\n\noptions:\n", usage, about);
    for (size_t i = 0; i < nspec; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", spec[i].name, spec[i].metavar ? " " : "",
                 spec[i].metavar ? spec[i].metavar : "");
        fprintf(f, "  %-28s %s\n", left, spec[i].help);
    }
    fprintf(f, "  %-28s %s\n", "--help", "show this help");
}

const char *rk__arg_by(const rk__args *a)
{
    const char *by = rk__arg(a, "by");
    if (!by) by = getenv("USER");
    return by && *by ? by : "unknown";
}
