/* Gathering command-line inputs: number lists, CSV columns split by group, tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rctkit/data.h"

rk_status rk__parse_option_number(const char *s, const char *opt, double *out, rk_error *err)
{
    rk_error e2;
    if (rk_parse_number(s, out, &e2))
        return rk_error_set(err, RK_EINVAL, "--%s: %s", opt, e2.msg);
    return RK_OK;
}

rk_status rk__parse_list(const char *s, const char *what, double **out, size_t *n,
                         size_t *n_missing, rk_error *err)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++) cap += *p == ',';
    double *v = malloc(cap * sizeof *v);
    if (!v) return rk_error_set(err, RK_ENOMEM, "out of memory");
    size_t k = 0, miss = 0, item = 0;
    const char *p = s;
    char tok[128];
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        item++;
        if (len >= sizeof tok) {
            free(v);
            return rk_error_set(err, RK_EINVAL, "--%s: item %zu is too long", what, item);
        }
        memcpy(tok, p, len);
        tok[len] = '\0';
        rk_error e2;
        if (rk_cell_is_missing(tok) && len > 0) {
            miss++;
        } else if (rk_parse_number(tok, &v[k], &e2)) {
            free(v);
            return rk_error_set(err, RK_EINVAL, "--%s: item %zu: %s", what, item,
                                len ? e2.msg : "empty item (two commas in a row?)");
        } else {
            k++;
        }
        if (!e) break;
        p = e + 1;
    }
    *out = v;
    *n = k;
    if (n_missing) *n_missing = miss;
    return RK_OK;
}

void rk__groups_free(rk__groups *g)
{
    for (size_t i = 0; i < g->k; i++) {
        free(g->level[i]);
        if (g->value) free(g->value[i]); /* NULL when the levels were rejected */
    }
    free(g->level);
    free(g->value);
    free(g->n);
    memset(g, 0, sizeof *g);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add a level name if new; returns its index or -1 on OOM. */
static long add_level(rk__groups *g, const char *name, size_t *cap)
{
    for (size_t i = 0; i < g->k; i++)
        if (!strcmp(g->level[i], name)) return (long)i;
    if (g->k == *cap) {
        size_t c = *cap ? *cap * 2 : 4;
        char **l = realloc(g->level, c * sizeof *l);
        if (!l) return -1;
        g->level = l;
        *cap = c;
    }
    if (!(g->level[g->k] = strdup(name))) return -1;
    return (long)g->k++;
}

rk_status rk__read_groups(const char *path, const char *value, const char *group,
                          const char *levels, rk__groups *g, rk_error *err)
{
    memset(g, 0, sizeof *g);
    rk_table *t;
    rk_status st = rk_csv_read(path, &t, err);
    if (st) return st;
    size_t vc = 0, gc = 0, nrow = rk_table_nrows(t), cap = 0;
    double *vals = NULL;
    long *gi = NULL;
    int sorted = 0; /* g->level sorted: rows are matched by binary search */
    if ((st = rk_table_column(t, value, &vc, err))) goto done;
    if (group && (st = rk_table_column(t, group, &gc, err))) goto done;
    vals = malloc((nrow ? nrow : 1) * sizeof *vals);
    gi = malloc((nrow ? nrow : 1) * sizeof *gi);
    if (!vals || !gi) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = rk_table_numeric(t, vc, vals, NULL, err))) goto done;
    /* levels: fixed by the user, or every non-missing group value sorted */
    if (!group) {
        if (add_level(g, value, &cap) < 0) goto oom;
    } else if (levels) {
        const char *p = levels;
        for (;;) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            char name[256];
            if (len == 0 || len >= sizeof name) {
                st = rk_error_set(err, RK_EINVAL, "--levels: empty or overlong level in '%s'",
                                  levels);
                goto done;
            }
            memcpy(name, p, len);
            name[len] = '\0';
            size_t before = g->k;
            if (add_level(g, name, &cap) < 0) goto oom;
            if (g->k == before) {
                st = rk_error_set(err, RK_EINVAL, "--levels: level '%s' given twice", name);
                goto done;
            }
            if (!e) break;
            p = e + 1;
        }
    } else {
        /* sorted distinct values by sorting the cells: O(n log n) (searching the levels for
         * every row was quadratic: minutes for a column of unique IDs given as --group) */
        const char **all = malloc((nrow ? nrow : 1) * sizeof *all);
        if (!all) goto oom;
        size_t m = 0;
        for (size_t i = 0; i < nrow; i++) {
            const char *c = rk_table_cell(t, i, gc);
            if (!rk_cell_is_missing(c)) all[m++] = c;
        }
        qsort(all, m, sizeof *all, cmp_str);
        int short_of_memory = 0;
        for (size_t i = 0; i < m && !short_of_memory; i++) {
            if (i && !strcmp(all[i - 1], all[i])) continue;
            if (g->k == cap) {
                size_t c2 = cap ? cap * 2 : 4;
                char **l = realloc(g->level, c2 * sizeof *l);
                if (!l) {
                    short_of_memory = 1;
                    break;
                }
                g->level = l;
                cap = c2;
            }
            if (!(g->level[g->k] = strdup(all[i])))
                short_of_memory = 1;
            else
                g->k++;
        }
        free(all);
        if (short_of_memory) goto oom;
        sorted = 1;
    }
    g->value = calloc(g->k ? g->k : 1, sizeof *g->value);
    g->n = calloc(g->k ? g->k : 1, sizeof *g->n);
    if (!g->value || !g->n) goto oom;
    for (size_t i = 0; i < nrow; i++) {
        gi[i] = -1;
        if (group) {
            const char *c = rk_table_cell(t, i, gc);
            if (rk_cell_is_missing(c)) {
                g->n_missing++;
                continue;
            }
            if (sorted) {
                char **hit = bsearch(&c, g->level, g->k, sizeof *g->level, cmp_str);
                if (hit) gi[i] = (long)(hit - g->level);
            } else {
                for (size_t j = 0; j < g->k; j++)
                    if (!strcmp(g->level[j], c)) gi[i] = (long)j;
            }
            if (gi[i] < 0) continue; /* a level the user left out */
        } else {
            gi[i] = 0;
        }
        if (vals[i] != vals[i]) { /* NaN: missing value */
            g->n_missing++;
            gi[i] = -1;
            continue;
        }
        g->n[gi[i]]++;
    }
    for (size_t j = 0; j < g->k; j++)
        if (!(g->value[j] = malloc((g->n[j] ? g->n[j] : 1) * sizeof(double)))) goto oom;
    memset(g->n, 0, g->k * sizeof *g->n);
    for (size_t i = 0; i < nrow; i++)
        if (gi[i] >= 0) g->value[gi[i]][g->n[gi[i]]++] = vals[i];
    for (size_t j = 0; j < g->k; j++)
        if (g->n[j] == 0) {
            st = rk_error_set(err, RK_EINVAL, "%s: group '%s' has no non-missing values of '%s'",
                              path, g->level[j], value);
            goto done;
        }
    goto done;
oom:
    st = rk_error_set(err, RK_ENOMEM, "out of memory reading %s", path);
done:
    free(vals);
    free(gi);
    rk_table_free(t);
    if (st) rk__groups_free(g);
    return st;
}

rk_status rk__parse_table(const char *s, int64_t **cells, size_t *nr, size_t *nc, rk_error *err)
{
    size_t rows = 1, total = 1;
    for (const char *p = s; *p; p++) {
        rows += *p == '/';
        total += *p == '/' || *p == ',';
    }
    int64_t *v = malloc(total * sizeof *v);
    if (!v) return rk_error_set(err, RK_ENOMEM, "out of memory");
    size_t k = 0, cols = 0, row = 0, col = 0;
    const char *p = s;
    for (;;) {
        char *end;
        while (*p == ' ') p++;
        if (*p < '0' || *p > '9') {
            free(v);
            return rk_error_set(err, RK_EINVAL,
                                "--table: row %zu, cell %zu is not a non-negative whole number "
                                "(expected e.g. 7,5/5,24)",
                                row + 1, col + 1);
        }
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (errno == ERANGE || x > (1LL << 40)) {
            free(v);
            return rk_error_set(err, RK_EINVAL, "--table: row %zu, cell %zu is too large", row + 1,
                                col + 1);
        }
        while (*end == ' ') end++;
        v[k++] = x;
        col++;
        if (*end == ',') {
            p = end + 1;
            continue;
        }
        if (*end == '/' || *end == '\0') {
            if (row == 0)
                cols = col;
            else if (col != cols) {
                free(v);
                return rk_error_set(err, RK_EINVAL,
                                    "--table: row %zu has %zu cells but row 1 has %zu", row + 1,
                                    col, cols);
            }
            row++;
            col = 0;
            if (*end == '\0') break;
            p = end + 1;
            continue;
        }
        free(v);
        return rk_error_set(err, RK_EINVAL, "--table: unexpected '%c' in row %zu", *end, row + 1);
    }
    (void)rows;
    *cells = v;
    *nr = row;
    *nc = cols;
    return RK_OK;
}
