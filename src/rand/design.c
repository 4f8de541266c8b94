/* Randomization designs: the YAML design file (libyaml) checked key by key, with file, line
 * and column in every message, and the strata it defines. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "rctkit/rand.h"

#define MAX_RATIO_SUM 1000u
#define MAX_STRATA 1000000u
#define MAX_LIST_LENGTH 100000000u
#define MAX_BLOCK 100000u

const char *rk_rand_proc_name(rk_rand_proc p)
{
    switch (p) {
    case RK_RAND_COMPLETE: return "complete";
    case RK_RAND_BLOCKS: return "permuted-blocks";
    case RK_RAND_RAR: return "random-allocation";
    case RK_RAND_EFRON: return "efron";
    case RK_RAND_BIGSTICK: return "big-stick";
    case RK_RAND_MAXIMAL: return "maximal";
    case RK_RAND_MINIMIZATION: return "minimization";
    }
    return "?";
}

typedef struct ctx {
    yaml_document_t *doc;
    const char *src;
    rk_error *err;
} ctx;

static rk_status at(const ctx *c, const yaml_node_t *n, rk_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static rk_status at(const ctx *c, const yaml_node_t *n, rk_status code, const char *fmt, ...)
{
    char msg[RK_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rk_error_set(c->err, code, "%s:%lu:%lu: %s", c->src,
                        (unsigned long)n->start_mark.line + 1,
                        (unsigned long)n->start_mark.column + 1, msg);
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "empty";
    }
}

static const char *scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static rk_status want(const ctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
    if (n->type == t) return RK_OK;
    const char *exp = t == YAML_SCALAR_NODE     ? "a scalar"
                      : t == YAML_SEQUENCE_NODE ? "a list"
                                                : "a mapping";
    return at(c, n, RK_EPARSE, "%s must be %s, not %s", what, exp, kind(n));
}

static rk_status get_string(const ctx *c, const yaml_node_t *n, const char *what, char **out)
{
    rk_status st = want(c, n, YAML_SCALAR_NODE, what);
    if (st) return st;
    const char *s = scalar(n);
    if (!*s) return at(c, n, RK_EINVAL, "%s is empty", what);
    for (const char *p = s; *p; p++)
        if (*p == ',' || *p == '|' || *p == '"' || *p == '\n' || *p == '\r')
            return at(c, n, RK_EINVAL, "%s '%s' contains '%c' (not allowed in list files)", what, s,
                      *p == '\n' || *p == '\r' ? ' ' : *p);
    free(*out);
    *out = strdup(s);
    if (!*out) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    return RK_OK;
}

static rk_status get_uint(const ctx *c, const yaml_node_t *n, const char *what, unsigned long lo,
                          unsigned long hi, unsigned long *out)
{
    rk_status st = want(c, n, YAML_SCALAR_NODE, what);
    if (st) return st;
    const char *s = scalar(n);
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || s[0] == '-' || s[0] == '+' || errno)
        return at(c, n, RK_EINVAL, "%s must be a whole number, not '%s'", what, s);
    if (v < lo || v > hi)
        return at(c, n, RK_EINVAL, "%s must be from %lu to %lu, not %lu", what, lo, hi, v);
    *out = v;
    return RK_OK;
}

static rk_status get_real(const ctx *c, const yaml_node_t *n, const char *what, double *out)
{
    rk_status st = want(c, n, YAML_SCALAR_NODE, what);
    if (st) return st;
    const char *s = scalar(n);
    char *end;
    double v;
    const char *slash = strchr(s, '/');
    if (slash) { /* a fraction such as 2/3 */
        unsigned long a = strtoul(s, &end, 10), b;
        if (end != slash || s[0] == '-' || s[0] == '+') goto bad;
        b = strtoul(slash + 1, &end, 10);
        if (*end || b == 0 || slash[1] == '-' || slash[1] == '+') goto bad;
        v = (double)a / (double)b;
    } else {
        errno = 0;
        v = strtod(s, &end);
        if (!*s || *end || errno || !isfinite(v)) goto bad;
    }
    *out = v;
    return RK_OK;
bad:
    return at(c, n, RK_EINVAL, "%s must be a number (e.g. 0.8 or 2/3), not '%s'", what, s);
}

/* Iterate over a mapping's pairs, checking each key against `allowed`. */
static rk_status check_keys(const ctx *c, const yaml_node_t *map, const char *const *allowed,
                            const char *where)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return at(c, k, RK_EPARSE, "keys in %s must be plain names", where);
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(*a, scalar(k))) ok = 1;
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = yaml_document_get_node(c->doc, q->key);
            if (k2->type == YAML_SCALAR_NODE && !strcmp(scalar(k2), scalar(k)))
                return at(c, k, RK_EPARSE, "key '%s' given twice in %s", scalar(k), where);
        }
        if (!ok) {
            char list[256] = "";
            size_t len = 0;
            for (const char *const *a = allowed; *a; a++)
                len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0,
                                        "%s%s", a == allowed ? "" : ", ", *a);
            return at(c, k, RK_EPARSE, "unknown key '%s' in %s (expected: %s)", scalar(k), where,
                      list);
        }
    }
    return RK_OK;
}

static yaml_node_t *lookup(const ctx *c, const yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), key))
            return yaml_document_get_node(c->doc, p->value);
    }
    return NULL;
}

static rk_status parse_arms(const ctx *c, const yaml_node_t *n, rk_rand_design *d)
{
    static const char *const keys[] = {"name", "ratio", NULL};
    rk_status st = want(c, n, YAML_SEQUENCE_NODE, "arms");
    if (st) return st;
    size_t k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (k < 2) return at(c, n, RK_EINVAL, "a design needs at least 2 arms, found %zu", k);
    d->arms = calloc(k, sizeof *d->arms);
    if (!d->arms) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    d->narms = k;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *a = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
        if ((st = want(c, a, YAML_MAPPING_NODE, "an arm (name: ..., ratio: ...)")) ||
            (st = check_keys(c, a, keys, "an arm")))
            return st;
        yaml_node_t *name = lookup(c, a, "name"), *ratio = lookup(c, a, "ratio");
        if (!name) return at(c, a, RK_EINVAL, "arm %zu has no name", i + 1);
        if ((st = get_string(c, name, "arm name", &d->arms[i].name))) return st;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->arms[j].name, d->arms[i].name))
                return at(c, name, RK_EINVAL, "arm '%s' named twice", d->arms[i].name);
        unsigned long r = 1;
        if (ratio && (st = get_uint(c, ratio, "ratio", 1, MAX_RATIO_SUM, &r))) return st;
        d->arms[i].ratio = (unsigned)r;
        d->ratio_sum += (unsigned)r;
        if (d->ratio_sum > MAX_RATIO_SUM)
            return at(c, ratio ? ratio : a, RK_EINVAL, "the ratios add up to more than %u",
                      MAX_RATIO_SUM);
    }
    return RK_OK;
}

static rk_status parse_strata(const ctx *c, const yaml_node_t *n, rk_rand_design *d,
                              int *any_weight, const yaml_node_t **weight_node)
{
    static const char *const keys[] = {"name", "levels", "weight", NULL};
    rk_status st = want(c, n, YAML_SEQUENCE_NODE, "strata");
    if (st) return st;
    size_t k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    d->factors = calloc(k ? k : 1, sizeof *d->factors);
    if (!d->factors) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    d->nfactors = k;
    size_t nstrata = 1;
    for (size_t i = 0; i < k; i++) {
        rk_rand_factor *f = &d->factors[i];
        f->weight = 1;
        yaml_node_t *a = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
        if ((st = want(c, a, YAML_MAPPING_NODE, "a stratification factor")) ||
            (st = check_keys(c, a, keys, "a stratification factor")))
            return st;
        yaml_node_t *name = lookup(c, a, "name"), *lv = lookup(c, a, "levels"),
                    *w = lookup(c, a, "weight");
        if (!name) return at(c, a, RK_EINVAL, "factor %zu has no name", i + 1);
        if ((st = get_string(c, name, "factor name", &f->name))) return st;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->factors[j].name, f->name))
                return at(c, name, RK_EINVAL, "factor '%s' named twice", f->name);
        if (!lv) return at(c, a, RK_EINVAL, "factor '%s' has no levels", f->name);
        if ((st = want(c, lv, YAML_SEQUENCE_NODE, "levels"))) return st;
        size_t m = (size_t)(lv->data.sequence.items.top - lv->data.sequence.items.start);
        if (m < 1) return at(c, lv, RK_EINVAL, "factor '%s' has no levels", f->name);
        f->levels = calloc(m, sizeof *f->levels);
        if (!f->levels) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        f->nlevels = m;
        for (size_t j = 0; j < m; j++) {
            yaml_node_t *l = yaml_document_get_node(c->doc, lv->data.sequence.items.start[j]);
            if ((st = get_string(c, l, "level", &f->levels[j]))) return st;
            for (size_t q = 0; q < j; q++)
                if (!strcmp(f->levels[q], f->levels[j]))
                    return at(c, l, RK_EINVAL, "level '%s' of factor '%s' given twice",
                              f->levels[j], f->name);
        }
        if (w) {
            if ((st = get_real(c, w, "weight", &f->weight))) return st;
            if (!(f->weight > 0))
                return at(c, w, RK_EINVAL, "weight must be positive, not %g", f->weight);
            *any_weight = 1;
            *weight_node = w;
        }
        nstrata *= m;
        if (nstrata > MAX_STRATA) return at(c, lv, RK_EINVAL, "more than %u strata", MAX_STRATA);
    }
    return RK_OK;
}

static rk_status parse_block_sizes(const ctx *c, const yaml_node_t *n, rk_rand_design *d)
{
    size_t k = 1;
    if (n->type == YAML_SEQUENCE_NODE) {
        k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        if (k == 0) return at(c, n, RK_EINVAL, "block_sizes is empty");
    }
    d->block_sizes = calloc(k, sizeof *d->block_sizes);
    if (!d->block_sizes) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    d->nblock_sizes = k;
    for (size_t i = 0; i < k; i++) {
        const yaml_node_t *b = n->type == YAML_SEQUENCE_NODE
                                   ? yaml_document_get_node(c->doc, n->data.sequence.items.start[i])
                                   : n;
        unsigned long v = 0;
        rk_status st = get_uint(c, b, "block size", 1, MAX_BLOCK, &v);
        if (st) return st;
        if (v % d->ratio_sum)
            return at(c, b, RK_EINVAL,
                      "block size %lu is not a multiple of the ratio sum %u (each block holds the "
                      "arms in their exact ratio)",
                      v, d->ratio_sum);
        for (size_t j = 0; j < i; j++)
            if (d->block_sizes[j] == v) return at(c, b, RK_EINVAL, "block size %lu given twice", v);
        d->block_sizes[i] = (unsigned)v;
    }
    return RK_OK;
}

static rk_status parse_procedure(const ctx *c, const yaml_node_t *n, rk_rand_design *d)
{
    static const char *const keys[] = {"name", "block_sizes", "p", "mti", NULL};
    static const char *const names[] = {"complete",    "permuted-blocks", "random-allocation",
                                        "efron",       "big-stick",       "maximal",
                                        "minimization"};
    rk_status st;
    if ((st = want(c, n, YAML_MAPPING_NODE, "procedure")) ||
        (st = check_keys(c, n, keys, "procedure")))
        return st;
    yaml_node_t *name = lookup(c, n, "name");
    if (!name) return at(c, n, RK_EINVAL, "procedure has no name");
    if ((st = want(c, name, YAML_SCALAR_NODE, "procedure name"))) return st;
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i], scalar(name))) break;
    if (i == sizeof names / sizeof names[0])
        return at(c, name, RK_EINVAL,
                  "unknown procedure '%s' (expected complete, permuted-blocks, "
                  "random-allocation, efron, big-stick, maximal or minimization)",
                  scalar(name));
    d->proc = (rk_rand_proc)i;
    yaml_node_t *bs = lookup(c, n, "block_sizes"), *p = lookup(c, n, "p"),
                *mti = lookup(c, n, "mti");
    int wants_bs = d->proc == RK_RAND_BLOCKS || d->proc == RK_RAND_MAXIMAL;
    int wants_p = d->proc == RK_RAND_EFRON || d->proc == RK_RAND_MINIMIZATION;
    int wants_mti = d->proc == RK_RAND_BIGSTICK || d->proc == RK_RAND_MAXIMAL;
    const char *pn = names[i];
    if (bs && !wants_bs)
        return at(c, bs, RK_EINVAL, "block_sizes does not apply to procedure %s", pn);
    if (p && !wants_p) return at(c, p, RK_EINVAL, "p does not apply to procedure %s", pn);
    if (mti && !wants_mti) return at(c, mti, RK_EINVAL, "mti does not apply to procedure %s", pn);
    if (d->proc == RK_RAND_EFRON || d->proc == RK_RAND_BIGSTICK || d->proc == RK_RAND_MAXIMAL) {
        if (d->narms != 2 || d->arms[0].ratio != d->arms[1].ratio)
            return at(c, name, RK_EINVAL,
                      "procedure %s needs 2 arms in a 1:1 ratio (use permuted-blocks or "
                      "minimization for other ratios)",
                      pn);
        d->arms[0].ratio = d->arms[1].ratio = 1; /* 3:3 is 1:1 */
        d->ratio_sum = 2;
    }
    if (wants_bs) {
        if (!bs) return at(c, n, RK_EINVAL, "procedure %s needs block_sizes", pn);
        if ((st = parse_block_sizes(c, bs, d))) return st;
    }
    if (d->proc == RK_RAND_EFRON) {
        d->p = 2.0 / 3.0; /* Efron (1971) */
        if (p && (st = get_real(c, p, "p", &d->p))) return st;
        if (!(d->p >= 0.5 && d->p <= 1))
            return at(c, p, RK_EINVAL, "Efron's p must be from 0.5 to 1, not %g", d->p);
    }
    if (d->proc == RK_RAND_MINIMIZATION) {
        if (!p) return at(c, n, RK_EINVAL, "minimization needs p (the base probability)");
        if ((st = get_real(c, p, "p", &d->p))) return st;
        double lo = 1.0 / d->ratio_sum;
        if (!(d->p >= lo && d->p <= 1))
            return at(c, p, RK_EINVAL,
                      "minimization p must be from 1/%u (no preference among the %u virtual "
                      "arms) to 1, not %g",
                      d->ratio_sum, d->ratio_sum, d->p);
    }
    if (wants_mti) {
        if (!mti) return at(c, n, RK_EINVAL, "procedure %s needs mti", pn);
        unsigned long v = 0;
        if ((st = get_uint(c, mti, "mti", 1, MAX_BLOCK, &v))) return st;
        d->mti = (unsigned)v;
    }
    if (d->proc == RK_RAND_MAXIMAL)
        for (size_t j = 0; j < d->nblock_sizes; j++)
            if (d->mti > d->block_sizes[j] / 2)
                return at(c, mti, RK_EINVAL,
                          "mti %u is larger than half the block size %u (it would never bind)",
                          d->mti, d->block_sizes[j]);
    return RK_OK;
}

static rk_status parse_root(const ctx *c, const yaml_node_t *root, rk_rand_design *d)
{
    static const char *const keys[] = {"trial", "arms", "strata", "procedure", "list_length", NULL};
    rk_status st;
    if ((st = want(c, root, YAML_MAPPING_NODE, "the design")) ||
        (st = check_keys(c, root, keys, "the design")))
        return st;
    yaml_node_t *trial = lookup(c, root, "trial"), *arms = lookup(c, root, "arms"),
                *strata = lookup(c, root, "strata"), *proc = lookup(c, root, "procedure"),
                *len = lookup(c, root, "list_length");
    if (trial && (st = want(c, trial, YAML_SCALAR_NODE, "trial"))) return st;
    if (trial && !(d->trial = strdup(scalar(trial))))
        return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    if (!arms) return at(c, root, RK_EINVAL, "the design has no arms");
    if ((st = parse_arms(c, arms, d))) return st;
    int any_weight = 0;
    const yaml_node_t *wnode = NULL;
    if (strata && (st = parse_strata(c, strata, d, &any_weight, &wnode))) return st;
    if (!proc) return at(c, root, RK_EINVAL, "the design has no procedure");
    if ((st = parse_procedure(c, proc, d))) return st;
    if (any_weight && d->proc != RK_RAND_MINIMIZATION)
        return at(c, wnode, RK_EINVAL, "weight applies to minimization only");
    if (d->proc == RK_RAND_MINIMIZATION && d->nfactors == 0)
        return at(c, proc, RK_EINVAL, "minimization needs strata (the factors to balance)");
    if (!len) return at(c, root, RK_EINVAL, "the design has no list_length (slots per stratum)");
    unsigned long v = 0;
    if ((st = get_uint(c, len, "list_length", 1, MAX_LIST_LENGTH, &v))) return st;
    d->list_length = v;
    if (d->proc == RK_RAND_RAR && v % d->ratio_sum)
        return at(c, len, RK_EINVAL,
                  "list_length %lu is not a multiple of the ratio sum %u (the random allocation "
                  "rule allocates the exact ratio)",
                  v, d->ratio_sum);
    return RK_OK;
}

rk_status rk_rand_design_parse(const char *text, size_t len, const char *source,
                               rk_rand_design **out, rk_error *err)
{
    *out = NULL;
    if (!source) source = "design";
    rk_rand_design *d = calloc(1, sizeof *d);
    if (!d || !(d->source = strdup(source))) {
        free(d);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    rk_status st = RK_OK;
    if (!yaml_parser_initialize(&parser)) {
        rk_rand_design_free(d);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        if (parser.context)
            st = rk_error_set(err, RK_EPARSE, "%s:%lu:%lu: %s (%s at line %lu, column %lu)", source,
                              (unsigned long)parser.problem_mark.line + 1,
                              (unsigned long)parser.problem_mark.column + 1,
                              parser.problem ? parser.problem : "malformed YAML", parser.context,
                              (unsigned long)parser.context_mark.line + 1,
                              (unsigned long)parser.context_mark.column + 1);
        else
            st = rk_error_set(err, RK_EPARSE, "%s:%lu:%lu: %s", source,
                              (unsigned long)parser.problem_mark.line + 1,
                              (unsigned long)parser.problem_mark.column + 1,
                              parser.problem ? parser.problem : "malformed YAML");
        yaml_parser_delete(&parser);
        rk_rand_design_free(d);
        return st;
    }
    ctx c = {&doc, source, err};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        st = rk_error_set(err, RK_EPARSE, "%s: the design file is empty", source);
    else
        st = parse_root(&c, root, d);
    if (!st) { /* a second document would be silently ignored: refuse it */
        yaml_document_t more;
        if (!yaml_parser_load(&parser, &more)) {
            st = rk_error_set(err, RK_EPARSE, "%s:%lu:%lu: %s", source,
                              (unsigned long)parser.problem_mark.line + 1,
                              (unsigned long)parser.problem_mark.column + 1,
                              parser.problem ? parser.problem : "malformed YAML");
        } else {
            yaml_node_t *r2 = yaml_document_get_root_node(&more);
            if (r2)
                st = rk_error_set(err, RK_EPARSE,
                                  "%s:%lu:%lu: a second YAML document; a design file holds one",
                                  source, (unsigned long)more.start_mark.line + 1,
                                  (unsigned long)more.start_mark.column + 1);
            yaml_document_delete(&more);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (st) {
        rk_rand_design_free(d);
        return st;
    }
    *out = d;
    return RK_OK;
}

rk_status rk_rand_design_read(const char *path, rk_rand_design **out, rk_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return rk_error_set(err, RK_EIO, "%s: cannot open: %s", path, strerror(errno));
    rk_buf b;
    rk_buf_init(&b, (size_t)1 << 24);
    char chunk[4096];
    size_t k;
    rk_status st = RK_OK;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        if ((st = rk_buf_append(&b, chunk, k, err))) break;
    if (!st && ferror(f)) st = rk_error_set(err, RK_EIO, "%s: read error", path);
    fclose(f);
    if (!st) st = rk_rand_design_parse(b.data ? b.data : "", b.len, path, out, err);
    rk_buf_free(&b);
    return st;
}

void rk_rand_design_free(rk_rand_design *d)
{
    if (!d) return;
    free(d->source);
    free(d->trial);
    for (size_t i = 0; i < d->narms && d->arms; i++)
        free(d->arms[i].name);
    free(d->arms);
    for (size_t i = 0; i < d->nfactors && d->factors; i++) {
        free(d->factors[i].name);
        for (size_t j = 0; j < d->factors[i].nlevels && d->factors[i].levels; j++)
            free(d->factors[i].levels[j]);
        free(d->factors[i].levels);
    }
    free(d->factors);
    free(d->block_sizes);
    free(d);
}

size_t rk_rand_nstrata(const rk_rand_design *d)
{
    size_t n = 1;
    for (size_t i = 0; i < d->nfactors; i++)
        n *= d->factors[i].nlevels;
    return n;
}

void rk_rand_stratum_levels(const rk_rand_design *d, size_t s, size_t *levels)
{
    for (size_t i = d->nfactors; i-- > 0;) {
        levels[i] = s % d->factors[i].nlevels;
        s /= d->factors[i].nlevels;
    }
}

size_t rk_rand_stratum_index(const rk_rand_design *d, const size_t *levels)
{
    size_t s = 0;
    for (size_t i = 0; i < d->nfactors; i++)
        s = s * d->factors[i].nlevels + levels[i];
    return s;
}

rk_status rk_rand_stratum_label(const rk_rand_design *d, size_t s, rk_buf *out, rk_error *err)
{
    rk_buf_reset(out);
    if (d->nfactors == 0) return rk_buf_append(out, "all", 3, err);
    for (size_t i = 0; i < d->nfactors; i++) {
        size_t div = 1;
        for (size_t j = i + 1; j < d->nfactors; j++)
            div *= d->factors[j].nlevels;
        const char *lv = d->factors[i].levels[(s / div) % d->factors[i].nlevels];
        rk_status st = rk_buf_appendf(out, err, "%s%s", i ? "|" : "", lv);
        if (st) return st;
    }
    return RK_OK;
}
