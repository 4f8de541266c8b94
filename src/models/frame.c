/* Model frames: parse a formula and build the numeric design (treatment contrasts, missing rows
 * dropped). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/frame.h"

/* ------------------------------------------------------------ formula parsing */

static int is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

static void formula_free(rk__formula *f)
{
    if (!f) return;
    free(f->response);
    for (size_t i = 0; i < f->n_terms; i++)
        free(f->terms[i].name);
    free(f->terms);
    free(f->cluster);
    memset(f, 0, sizeof *f);
}

void rk__formula_free(rk__formula *f)
{
    formula_free(f);
}

/* Read an identifier (plain or `backquoted`) at *ps; advances *ps. */
static rk_status read_ident(const char *formula, const char **ps, char **out, rk_error *err)
{
    const char *s = *ps;
    const char *start, *end;
    if (*s == '`') {
        start = s + 1;
        end = strchr(start, '`');
        if (!end)
            return rk_error_set(err, RK_EINVAL, "formula '%s', position %zu: unterminated `",
                                formula, (size_t)(s - formula) + 1);
        *ps = end + 1;
    } else {
        start = s;
        while (is_ident_char(*s))
            s++;
        end = s;
        *ps = s;
    }
    if (end == start)
        return rk_error_set(err, RK_EINVAL, "formula '%s', position %zu: expected a column name",
                            formula, (size_t)(start - formula) + 1);
    size_t len = (size_t)(end - start);
    *out = malloc(len + 1);
    if (!*out) return rk_error_set(err, RK_ENOMEM, "out of memory parsing a formula");
    memcpy(*out, start, len);
    (*out)[len] = '\0';
    return RK_OK;
}

static rk_status syntax_error(const char *formula, const char *at, const char *what, rk_error *err)
{
    return rk_error_set(err, RK_EINVAL, "formula '%s', position %zu: %s", formula,
                        (size_t)(at - formula) + 1, what);
}

/* After a term: only '+', '-' or the end may follow. */
static rk_status check_after_term(const char *formula, const char *s, rk_error *err)
{
    s = skip_ws(s);
    if (*s == '\0' || *s == '+' || *s == '-') return RK_OK;
    if (*s == '*' || *s == ':' || *s == '^' || *s == '/' || *s == '%')
        return syntax_error(formula, s,
                            "interaction terms ('*', ':', '^', '/', %in%) are not supported; "
                            "create the product column in the data instead",
                            err);
    return syntax_error(formula, s, "expected '+' between terms", err);
}

rk_status rk__formula_parse(const char *formula, rk__formula *f, rk_error *err)
{
    memset(f, 0, sizeof *f);
    f->intercept = 1;
    if (!formula) return rk_error_set(err, RK_EINVAL, "no formula given");
    const char *tilde = strchr(formula, '~');
    if (!tilde)
        return rk_error_set(err, RK_EINVAL,
                            "formula '%s' has no '~' (write e.g. \"y ~ group + baseline\")",
                            formula);
    if (strchr(tilde + 1, '~'))
        return syntax_error(formula, strchr(tilde + 1, '~'), "more than one '~'", err);
    rk_status st;
    /* response */
    const char *s = skip_ws(formula);
    if (s < tilde) {
        st = read_ident(formula, &s, &f->response, err);
        if (st) goto fail;
        f->response_pos = (size_t)(s - formula);
        s = skip_ws(s);
        if (s != tilde) {
            st = syntax_error(formula, s,
                              "the response must be a single column name (no functions or "
                              "expressions)",
                              err);
            goto fail;
        }
    }
    s = skip_ws(tilde + 1);
    if (*s == '\0') {
        st = syntax_error(formula, s, "nothing after '~' (write \"y ~ 1\" for no covariates)", err);
        goto fail;
    }
    int sign = +1;
    int expect_term = 1;
    while (1) {
        s = skip_ws(s);
        if (*s == '\0') {
            if (expect_term) {
                st = syntax_error(formula, s, "a term is missing at the end", err);
                goto fail;
            }
            break;
        }
        if (!expect_term) {
            if (*s == '+')
                sign = +1;
            else if (*s == '-')
                sign = -1;
            else {
                st = check_after_term(formula, s, err);
                if (!st) st = syntax_error(formula, s, "expected '+'", err);
                goto fail;
            }
            s++;
            expect_term = 1;
            continue;
        }
        const char *at = s;
        if (*s == '+' || *s == '-') { /* "~ -1" or a repeated operator */
            if (*s == '-' && f->n_terms == 0 && sign == +1) {
                sign = -1;
                s++;
                continue;
            }
            st = syntax_error(formula, s, "expected a term", err);
            goto fail;
        }
        if (*s == '0' || *s == '1') {
            const char *q = s + 1;
            if (!is_ident_char(*q)) {
                int one = (*s == '1');
                if ((one && sign < 0) || (!one && sign > 0))
                    f->intercept = 0;
                else
                    f->intercept = 1;
                st = check_after_term(formula, q, err);
                if (st) goto fail;
                s = q;
                expect_term = 0;
                continue;
            }
        }
        if (sign < 0) {
            st = syntax_error(formula, at,
                              "removing terms with '-' is not supported (only \"- 1\" to drop "
                              "the intercept)",
                              err);
            goto fail;
        }
        if (*s == '(') { /* (1 | g) */
            const char *q = skip_ws(s + 1);
            if (*q != '1') {
                st = syntax_error(formula, q,
                                  "only random intercepts \"(1 | group)\" are supported", err);
                goto fail;
            }
            q = skip_ws(q + 1);
            if (*q != '|') {
                st = syntax_error(formula, q, "expected '|' in a random intercept \"(1 | group)\"",
                                  err);
                goto fail;
            }
            q = skip_ws(q + 1);
            if (f->cluster) {
                st = syntax_error(formula, at, "only one random-intercept term is supported", err);
                goto fail;
            }
            f->cluster_pos = (size_t)(q - formula);
            st = read_ident(formula, &q, &f->cluster, err);
            if (st) goto fail;
            q = skip_ws(q);
            if (*q != ')') {
                st = syntax_error(formula, q,
                                  *q == '/' || *q == ':'
                                      ? "nested random effects are not supported"
                                      : "expected ')' closing the random intercept",
                                  err);
                goto fail;
            }
            s = q + 1;
            st = check_after_term(formula, s, err);
            if (st) goto fail;
            expect_term = 0;
            continue;
        }
        char *name = NULL;
        st = read_ident(formula, &s, &name, err);
        if (st) goto fail;
        int forced = 0;
        const char *q = skip_ws(s);
        if (*q == '(') {
            if (strcmp(name, "factor") != 0 && strcmp(name, "as.factor") != 0) {
                free(name);
                st = syntax_error(formula, at,
                                  "functions in formulas are not supported (only factor(col)); "
                                  "create the transformed column in the data instead",
                                  err);
                goto fail;
            }
            free(name);
            name = NULL;
            q = skip_ws(q + 1);
            const char *inner = q;
            st = read_ident(formula, &q, &name, err);
            if (st) goto fail;
            q = skip_ws(q);
            if (*q != ')') {
                free(name);
                st = syntax_error(formula, q, "expected ')' after factor(column", err);
                goto fail;
            }
            at = inner;
            s = q + 1;
            forced = 1;
        }
        st = check_after_term(formula, s, err);
        if (st) {
            free(name);
            goto fail;
        }
        expect_term = 0;
        /* duplicates are ignored, as R's terms() does */
        int dup = 0;
        for (size_t i = 0; i < f->n_terms; i++)
            if (strcmp(f->terms[i].name, name) == 0) {
                f->terms[i].forced_factor |= forced;
                dup = 1;
            }
        if (dup) {
            free(name);
            continue;
        }
        void *p = realloc(f->terms, (f->n_terms + 1) * sizeof *f->terms);
        if (!p) {
            free(name);
            st = rk_error_set(err, RK_ENOMEM, "out of memory parsing a formula");
            goto fail;
        }
        f->terms = p;
        f->terms[f->n_terms].name = name;
        f->terms[f->n_terms].forced_factor = forced;
        f->terms[f->n_terms].pos = (size_t)(at - formula);
        f->n_terms++;
    }
    if (f->response)
        for (size_t i = 0; i < f->n_terms; i++)
            if (strcmp(f->terms[i].name, f->response) == 0) {
                st = rk_error_set(err, RK_EINVAL,
                                  "formula '%s': the response '%s' also appears as a covariate",
                                  formula, f->response);
                goto fail;
            }
    return RK_OK;
fail:
    formula_free(f);
    return st;
}

/* ------------------------------------------------------------ factor coding */

typedef struct cell_key {
    const char *s;
    double v;
    size_t row; /* index into the kept rows */
} cell_key;

static int cmp_key_str(const void *a, const void *b)
{
    const cell_key *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    if (c) return c;
    return (x->row > y->row) - (x->row < y->row);
}

static int cmp_key_num(const void *a, const void *b)
{
    const cell_key *x = a, *y = b;
    if (x->v < y->v) return -1;
    if (x->v > y->v) return 1;
    return (x->row > y->row) - (x->row < y->row);
}

typedef struct factor {
    size_t n_levels;
    char **levels; /* in the final order (reference first) */
    size_t *code;  /* per kept row: level index */
} factor;

static void factor_free(factor *fa)
{
    for (size_t i = 0; i < fa->n_levels; i++)
        free(fa->levels[i]);
    free(fa->levels);
    free(fa->code);
    memset(fa, 0, sizeof *fa);
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s);
    char *r = malloc(n + 1);
    if (r) memcpy(r, s, n + 1);
    return r;
}

/* Find "var=..." in a list of options; returns the text after '=' or NULL. */
static const char *find_opt(const char *const *list, size_t n, const char *var)
{
    size_t len = strlen(var);
    for (size_t i = 0; i < n; i++)
        if (list[i] && strncmp(list[i], var, len) == 0 && list[i][len] == '=')
            return list[i] + len + 1;
    return NULL;
}

/* Code column `col` (over the kept rows) as a factor.  Levels sorted as R's
 * factor(): numerically when every value is a number, else by strcmp (C locale).
 * `order` ("a,b,c") fixes the order; `ref` moves that level first. */
static rk_status factor_build(const rk_table *t, size_t col, const size_t *rows, size_t n,
                              const char *var, const char *order, const char *ref, factor *fa,
                              rk_error *err)
{
    memset(fa, 0, sizeof *fa);
    rk_status st = RK_OK;
    /* distinct values first (hash table on the strings: O(n), the sort then only sees the
     * distinct values; sorting all n cells by strcmp took most of a 1e6-row design) */
    size_t nd = 0, kcap = 16, cap = 64, nl = 0;
    cell_key *k = malloc(kcap * sizeof *k);   /* distinct values; row = first-occurrence index */
    size_t *slot = calloc(cap, sizeof *slot); /* distinct index + 1, 0 = empty */
    size_t *dcode = malloc((n ? n : 1) * sizeof *dcode), *dl = NULL;
    char **sorted = NULL;
    size_t *perm = NULL;
    fa->code = malloc((n ? n : 1) * sizeof *fa->code);
    if (!k || !slot || !dcode || !fa->code) goto oom;
    for (size_t i = 0; i < n; i++) {
        const char *c = rk_table_cell(t, rows[i], col);
        uint64_t h = 1469598103934665603ull; /* FNV-1a */
        for (const unsigned char *q = (const unsigned char *)c; *q; q++)
            h = (h ^ *q) * 1099511628211ull;
        size_t at = (size_t)h & (cap - 1);
        while (slot[at] && strcmp(k[slot[at] - 1].s, c) != 0)
            at = (at + 1) & (cap - 1);
        if (slot[at]) {
            dcode[i] = slot[at] - 1;
            continue;
        }
        if (nd == kcap) {
            cell_key *nk = realloc(k, 2 * kcap * sizeof *k);
            if (!nk) goto oom;
            k = nk;
            kcap *= 2;
        }
        k[nd].s = c;
        k[nd].row = nd;
        dcode[i] = nd;
        slot[at] = ++nd;
        if (2 * nd > cap) { /* grow and rehash */
            size_t ncap = 4 * cap, *ns = calloc(ncap, sizeof *ns);
            if (!ns) goto oom;
            for (size_t d = 0; d < nd; d++) {
                uint64_t g = 1469598103934665603ull;
                for (const unsigned char *q = (const unsigned char *)k[d].s; *q; q++)
                    g = (g ^ *q) * 1099511628211ull;
                size_t pos = (size_t)g & (ncap - 1);
                while (ns[pos])
                    pos = (pos + 1) & (ncap - 1);
                ns[pos] = d + 1;
            }
            free(slot);
            slot = ns;
            cap = ncap;
        }
    }
    int numeric = 1;
    for (size_t d = 0; d < nd && numeric; d++)
        if (rk_parse_number(k[d].s, &k[d].v, NULL) != RK_OK) numeric = 0;
    /* ties (numerically equal spellings such as 1 and 1.0) broken by first occurrence */
    qsort(k, nd, sizeof *k, numeric ? cmp_key_num : cmp_key_str);
    dl = malloc((nd ? nd : 1) * sizeof *dl);
    sorted = calloc(nd ? nd : 1, sizeof *sorted);
    perm = malloc((nd ? nd : 1) * sizeof *perm); /* sorted index -> final index */
    if (!dl || !sorted || !perm) goto oom;
    for (size_t d = 0; d < nd; d++) {
        int same = d > 0 && numeric && k[d].v == k[d - 1].v;
        if (!same) {
            if (!(sorted[nl] = dupstr(k[d].s))) goto oom;
            nl++;
        }
        dl[k[d].row] = nl - 1;
    }
    for (size_t i = 0; i < n; i++)
        fa->code[i] = dl[dcode[i]];
    for (size_t l = 0; l < nl; l++)
        perm[l] = l;
    if (order) {
        /* every level that occurs must be listed; listed levels that do not occur are skipped */
        for (size_t l = 0; l < nl; l++)
            perm[l] = (size_t)-1;
        size_t next = 0;
        const char *p = order;
        while (1) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            for (size_t l = 0; l < nl; l++) {
                int match = strlen(sorted[l]) == len && strncmp(sorted[l], p, len) == 0;
                if (!match && numeric) {
                    char buf[64];
                    double v;
                    if (len < sizeof buf) {
                        memcpy(buf, p, len);
                        buf[len] = '\0';
                        double lv;
                        if (rk_parse_number(buf, &v, NULL) == RK_OK &&
                            rk_parse_number(sorted[l], &lv, NULL) == RK_OK && v == lv)
                            match = 1;
                    }
                }
                if (match) {
                    if (perm[l] != (size_t)-1) {
                        st = rk_error_set(err, RK_EINVAL, "level order for '%s' lists '%s' twice",
                                          var, sorted[l]);
                        goto done;
                    }
                    perm[l] = next++;
                }
            }
            if (!comma) break;
            p = comma + 1;
        }
        for (size_t l = 0; l < nl; l++)
            if (perm[l] == (size_t)-1) {
                st = rk_error_set(err, RK_EINVAL,
                                  "level order for '%s' does not list the value '%s' that occurs "
                                  "in the data (give all levels: %s=...,%s,...)",
                                  var, sorted[l], var, sorted[l]);
                goto done;
            }
    }
    if (ref) {
        size_t r = (size_t)-1;
        for (size_t l = 0; l < nl; l++)
            if (strcmp(sorted[l], ref) == 0) r = l;
        if (r == (size_t)-1) {
            /* list the levels in the message */
            char lv[200];
            size_t off = 0;
            lv[0] = '\0';
            for (size_t l = 0; l < nl && off < sizeof lv - 8; l++) {
                int w = snprintf(lv + off, sizeof lv - off, "%s%s", l ? ", " : "", sorted[l]);
                if (w < 0) break;
                off += (size_t)w;
            }
            if (off >= sizeof lv - 8) snprintf(lv + sizeof lv - 8, 8, ", ...");
            st = rk_error_set(err, RK_EINVAL,
                              "reference level '%s' does not occur in '%s' (levels: %s)", ref, var,
                              lv);
            goto done;
        }
        size_t pr = perm[r];
        for (size_t l = 0; l < nl; l++)
            if (perm[l] < pr) perm[l]++;
        perm[r] = 0;
    }
    fa->levels = calloc(nl ? nl : 1, sizeof *fa->levels);
    if (!fa->levels) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory coding factor '%s'", var);
        goto done;
    }
    fa->n_levels = nl;
    for (size_t l = 0; l < nl; l++) {
        fa->levels[perm[l]] = sorted[l];
        sorted[l] = NULL;
    }
    for (size_t i = 0; i < n; i++)
        fa->code[i] = perm[fa->code[i]];
    goto done;
oom:
    st = rk_error_set(err, RK_ENOMEM, "out of memory coding factor '%s'", var);
done:
    if (sorted)
        for (size_t l = 0; l < nl; l++)
            free(sorted[l]);
    free(sorted);
    free(perm);
    free(k);
    free(slot);
    free(dcode);
    free(dl);
    if (st) factor_free(fa);
    return st;
}

/* ------------------------------------------------------------ design */

void rk_design_free(rk_design *d)
{
    if (!d) return;
    for (size_t j = 0; j < d->p; j++) {
        if (d->colnames) free(d->colnames[j]);
        if (d->terms) free(d->terms[j]);
        if (d->ref_level) free(d->ref_level[j]);
    }
    free(d->colnames);
    free(d->terms);
    free(d->ref_level);
    free(d->X);
    free(d->response);
    free(d->y);
    for (size_t l = 0; l < d->n_levels; l++)
        if (d->levels) free(d->levels[l]);
    free(d->levels);
    free(d->weight);
    free(d->cluster);
    for (size_t c = 0; c < d->n_clusters; c++)
        if (d->cluster_names) free(d->cluster_names[c]);
    free(d->cluster_names);
    free(d->cluster_var);
    free(d->source_row);
    free(d);
}

long rk__design_find(const rk_design *d, const char *colname)
{
    if (!d->colnames) return -1;
    for (size_t j = 0; j < d->p; j++)
        if (strcmp(d->colnames[j], colname) == 0) return (long)j;
    return -1;
}

typedef struct var_use {
    const char *name;
    size_t col;
    int is_factor;
    int forced;
    factor fa;
    double *num; /* numeric values over all table rows */
} var_use;

static rk_status add_column(rk_design *d, size_t j, const char *colname, const char *term,
                            const char *ref)
{
    d->colnames[j] = dupstr(colname);
    d->terms[j] = dupstr(term);
    d->ref_level[j] = ref ? dupstr(ref) : NULL;
    if (!d->colnames[j] || !d->terms[j] || (ref && !d->ref_level[j])) return RK_ENOMEM;
    return RK_OK;
}

rk_status rk_design_new(const rk_table *t, const char *formula, const rk_frame_opts *o,
                        rk_design **out, rk_error *err)
{
    static const rk_frame_opts defaults = {0};
    if (!out) return rk_error_set(err, RK_EINVAL, "rk_design_new: out is NULL");
    *out = NULL;
    if (!t) return rk_error_set(err, RK_EINVAL, "rk_design_new: no data table");
    if (!o) o = &defaults;
    rk__formula f;
    rk_status st = rk__formula_parse(formula, &f, err);
    if (st) return st;
    if (o->no_intercept) f.intercept = 0;

    size_t nrows = rk_table_nrows(t);
    size_t nv = f.n_terms;
    var_use *v = calloc(nv ? nv : 1, sizeof *v);
    size_t *rows = malloc((nrows ? nrows : 1) * sizeof *rows);
    double *resp_num = NULL, *wt_num = NULL;
    size_t resp_col = 0, wt_col = 0, cl_col = 0;
    factor resp_fa = {0}, cl_fa = {0};
    rk_design *d = calloc(1, sizeof *d);
    if (!v || !rows || !d) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory building the model frame");
        goto fail;
    }
    int has_response = f.response != NULL;

    /* columns */
    if (has_response) {
        st = rk_table_column(t, f.response, &resp_col, err);
        if (st) goto col_fail;
    }
    for (size_t i = 0; i < nv; i++) {
        v[i].name = f.terms[i].name;
        v[i].forced = f.terms[i].forced_factor;
        st = rk_table_column(t, v[i].name, &v[i].col, err);
        if (st) goto col_fail;
    }
    if (f.cluster) {
        st = rk_table_column(t, f.cluster, &cl_col, err);
        if (st) goto col_fail;
    }
    if (o->weight) {
        st = rk_table_column(t, o->weight, &wt_col, err);
        if (st) goto fail;
    }

    /* rows with no missing value in any used variable */
    size_t n = 0;
    for (size_t r = 0; r < nrows; r++) {
        int miss = has_response && rk_cell_is_missing(rk_table_cell(t, r, resp_col));
        for (size_t i = 0; i < nv && !miss; i++)
            miss = rk_cell_is_missing(rk_table_cell(t, r, v[i].col));
        if (!miss && f.cluster) miss = rk_cell_is_missing(rk_table_cell(t, r, cl_col));
        if (!miss && o->weight) miss = rk_cell_is_missing(rk_table_cell(t, r, wt_col));
        if (!miss) rows[n++] = r;
    }
    if (n == 0) {
        st = rk_error_set(err, RK_EINVAL,
                          "no rows left for formula '%s': all %zu rows of %s have a missing "
                          "value in a model variable",
                          formula, nrows, rk_table_source(t));
        goto fail;
    }
    d->n = n;
    d->n_dropped = nrows - n;

    /* classify and code predictors */
    size_t p = f.intercept ? 1 : 0;
    int first_factor_full = !f.intercept; /* R: without intercept the first factor is fully coded */
    for (size_t i = 0; i < nv; i++) {
        int numeric = !v[i].forced;
        if (numeric)
            for (size_t k = 0; k < n; k++) {
                double x;
                if (rk_parse_number(rk_table_cell(t, rows[k], v[i].col), &x, NULL) != RK_OK) {
                    numeric = 0;
                    break;
                }
            }
        v[i].is_factor = !numeric;
        const char *ref = find_opt(o->reference, o->n_reference, v[i].name);
        const char *ord = find_opt(o->levels, o->n_levels, v[i].name);
        if (numeric) {
            if (ref) {
                st = rk_error_set(err, RK_EINVAL,
                                  "a reference level is given for '%s', but '%s' is numeric; "
                                  "write factor(%s) in the formula to treat it as categorical",
                                  v[i].name, v[i].name, v[i].name);
                goto fail;
            }
            v[i].num = malloc(n * sizeof *v[i].num);
            if (!v[i].num) {
                st = rk_error_set(err, RK_ENOMEM, "out of memory");
                goto fail;
            }
            for (size_t k = 0; k < n; k++)
                rk_parse_number(rk_table_cell(t, rows[k], v[i].col), &v[i].num[k], NULL);
            p++;
        } else {
            st = factor_build(t, v[i].col, rows, n, v[i].name, ord, ref, &v[i].fa, err);
            if (st) goto fail;
            if (v[i].fa.n_levels < 2) {
                st = rk_error_set(err, RK_EINVAL,
                                  "'%s' has a single level ('%s') in the %zu rows used, so its "
                                  "effect cannot be estimated; remove it from the formula",
                                  v[i].name, v[i].fa.levels[0], n);
                goto fail;
            }
            p += v[i].fa.n_levels - (first_factor_full ? 0 : 1);
            first_factor_full = 0;
        }
    }
    /* a cap on the work: the fits cost O(n p^2 + p^3) */
    size_t max_cols = o->max_columns ? o->max_columns : RK_DESIGN_MAX_COLUMNS;
    if (p > max_cols) {
        size_t big = nv;
        for (size_t i = 0; i < nv; i++)
            if (v[i].is_factor && (big == nv || v[i].fa.n_levels > v[big].fa.n_levels)) big = i;
        if (big < nv)
            st = rk_error_set(err, RK_ERANGE,
                              "'%s' needs %zu fixed-effect columns, more than the limit of %zu: "
                              "'%s' has %zu levels, and a fit's time grows as the cube of the "
                              "columns; for a grouping factor (a subject or center ID) use a "
                              "random intercept \"(1 | %s)\" (rctkit model mixed), or raise "
                              "the limit (--max-columns)",
                              formula, p, max_cols, v[big].name, v[big].fa.n_levels, v[big].name);
        else
            st = rk_error_set(err, RK_ERANGE,
                              "'%s' needs %zu fixed-effect columns, more than the limit of %zu; "
                              "raise the limit (--max-columns)",
                              formula, p, max_cols);
        goto fail;
    }
    /* options naming variables that are not categorical terms */
    for (int list = 0; list < 2; list++) {
        const char *const *items = list ? o->levels : o->reference;
        size_t n_items = list ? o->n_levels : o->n_reference;
        const char *what = list ? "level order" : "reference";
        for (size_t r = 0; r < n_items; r++) {
            const char *eq = items[r] ? strchr(items[r], '=') : NULL;
            if (!eq) {
                st = rk_error_set(err, RK_EINVAL, "%s '%s' is not of the form var=%s", what,
                                  items[r] ? items[r] : "(null)", list ? "l1,l2,..." : "Level");
                goto fail;
            }
            size_t len = (size_t)(eq - items[r]);
            int found = 0;
            for (size_t i = 0; i < nv; i++)
                if (v[i].is_factor && strlen(v[i].name) == len &&
                    strncmp(v[i].name, items[r], len) == 0)
                    found = 1;
            if (has_response && strlen(f.response) == len &&
                strncmp(f.response, items[r], len) == 0 && o->response_kind == RK_RESPONSE_FACTOR)
                found = 1;
            if (!found) {
                st = rk_error_set(err, RK_EINVAL,
                                  "%s '%s' names a variable that is not a categorical term "
                                  "(or categorical outcome) of the formula '%s'",
                                  what, items[r], formula);
                goto fail;
            }
        }
    }

    /* response */
    if (has_response) {
        d->response = dupstr(f.response);
        d->y = malloc(n * sizeof *d->y);
        if (!d->response || !d->y) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            goto fail;
        }
        if (o->response_kind == RK_RESPONSE_FACTOR) {
            st = factor_build(t, resp_col, rows, n, f.response,
                              find_opt(o->levels, o->n_levels, f.response),
                              find_opt(o->reference, o->n_reference, f.response), &resp_fa, err);
            if (st) goto fail;
            if (resp_fa.n_levels < 2) {
                st = rk_error_set(err, RK_EINVAL,
                                  "the outcome '%s' has a single category ('%s') in the %zu rows "
                                  "used; a model needs at least two",
                                  f.response, resp_fa.levels[0], n);
                goto fail;
            }
            for (size_t k = 0; k < n; k++)
                d->y[k] = (double)resp_fa.code[k];
            d->n_levels = resp_fa.n_levels;
            d->levels = resp_fa.levels;
            resp_fa.levels = NULL;
            resp_fa.n_levels = 0;
        } else {
            for (size_t k = 0; k < n; k++) {
                const char *c = rk_table_cell(t, rows[k], resp_col);
                if (rk_parse_number(c, &d->y[k], NULL) != RK_OK) {
                    st = rk_error_set(err, RK_EINVAL,
                                      "%s, line %zu: the response '%s' must be numeric, got "
                                      "'%s'",
                                      rk_table_source(t), rk_table_line(t, rows[k]), f.response, c);
                    goto fail;
                }
            }
        }
    } else {
        d->response = dupstr("");
        if (!d->response) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            goto fail;
        }
    }

    /* weights */
    if (o->weight) {
        d->weight = malloc(n * sizeof *d->weight);
        if (!d->weight) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            goto fail;
        }
        for (size_t k = 0; k < n; k++) {
            const char *c = rk_table_cell(t, rows[k], wt_col);
            if (rk_parse_number(c, &d->weight[k], NULL) != RK_OK || d->weight[k] < 0) {
                st = rk_error_set(err, RK_EINVAL,
                                  "%s, line %zu: weight '%s' must be a number >= 0, got '%s'",
                                  rk_table_source(t), rk_table_line(t, rows[k]), o->weight, c);
                goto fail;
            }
        }
    }

    /* cluster */
    if (f.cluster) {
        st = factor_build(t, cl_col, rows, n, f.cluster, NULL, NULL, &cl_fa, err);
        if (st) goto fail;
        d->cluster_var = dupstr(f.cluster);
        if (!d->cluster_var) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            goto fail;
        }
        d->cluster = cl_fa.code;
        cl_fa.code = NULL;
        d->n_clusters = cl_fa.n_levels;
        d->cluster_names = cl_fa.levels;
        cl_fa.levels = NULL;
        cl_fa.n_levels = 0;
    }

    d->source_row = malloc(n * sizeof *d->source_row);
    if (!d->source_row) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto fail;
    }
    memcpy(d->source_row, rows, n * sizeof *rows);

    /* X */
    d->colnames = calloc(p ? p : 1, sizeof *d->colnames);
    d->terms = calloc(p ? p : 1, sizeof *d->terms);
    d->ref_level = calloc(p ? p : 1, sizeof *d->ref_level);
    d->X = calloc(n * (p ? p : 1), sizeof *d->X);
    if (!d->colnames || !d->terms || !d->ref_level || !d->X) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for a %zu x %zu design", n, p);
        goto fail;
    }
    d->p = p;
    size_t j = 0;
    if (f.intercept) {
        if (add_column(d, j, "(Intercept)", "(Intercept)", NULL)) goto nomem;
        for (size_t k = 0; k < n; k++)
            d->X[k * p + j] = 1.0;
        j++;
    }
    first_factor_full = !f.intercept;
    for (size_t i = 0; i < nv; i++) {
        if (!v[i].is_factor) {
            if (add_column(d, j, v[i].name, v[i].name, NULL)) goto nomem;
            for (size_t k = 0; k < n; k++)
                d->X[k * p + j] = v[i].num[k];
            j++;
            continue;
        }
        size_t first = first_factor_full ? 0 : 1;
        for (size_t l = first; l < v[i].fa.n_levels; l++) {
            char name[512];
            if (v[i].forced)
                snprintf(name, sizeof name, "factor(%s)%s", v[i].name, v[i].fa.levels[l]);
            else
                snprintf(name, sizeof name, "%s%s", v[i].name, v[i].fa.levels[l]);
            if (add_column(d, j, name, v[i].name, first_factor_full ? NULL : v[i].fa.levels[0]))
                goto nomem;
            for (size_t k = 0; k < n; k++)
                d->X[k * p + j] = v[i].fa.code[k] == l ? 1.0 : 0.0;
            j++;
        }
        first_factor_full = 0;
    }
    *out = d;
    d = NULL;
    st = RK_OK;
    goto fail; /* common cleanup */
nomem:
    st = rk_error_set(err, RK_ENOMEM, "out of memory naming design columns");
    goto fail;
col_fail:
    /* rk_table_column's message lists the columns; add the formula */
    if (err) {
        char msg[RK_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rk_error_set(err, st, "formula '%s': %s", formula, msg);
    }
fail:
    if (v)
        for (size_t i = 0; i < nv; i++) {
            factor_free(&v[i].fa);
            free(v[i].num);
        }
    free(v);
    free(rows);
    free(resp_num);
    free(wt_num);
    factor_free(&resp_fa);
    factor_free(&cl_fa);
    rk_design_free(d);
    formula_free(&f);
    return st;
}
