/* The statistical analysis plan: a YAML file (libyaml document API) checked key by key, with
 * file:line in every error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "rctkit/data.h"
#include "rctkit/models.h"
#include "report/plan.h"

typedef struct pctx {
    yaml_document_t *doc;
    const char *path;
    rk_error *err;
} pctx;

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int line_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

static rk_status perr(pctx *c, const yaml_node_t *n, const char *msg, const char *detail)
{
    return rk_error_set(c->err, RK_EINVAL, "%s:%d: %s%s", c->path, line_of(n), msg,
                        detail ? detail : "");
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Every key of mapping `map` must be one of `allowed` (NULL-terminated). */
static rk_status check_keys(pctx *c, yaml_node_t *map, const char *where,
                            const char *const *allowed)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return rk_error_set(c->err, RK_EINVAL, "%s:%d: %s must be a mapping (key: value)", c->path,
                            line_of(map), where);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        const char *ks = scalar(k);
        int ok = 0;
        for (size_t i = 0; ks && allowed[i]; i++)
            if (!strcmp(ks, allowed[i])) ok = 1;
        if (!ok) {
            char list[400];
            size_t o = 0;
            list[0] = '\0';
            for (size_t i = 0; allowed[i] && o < sizeof list; i++)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", allowed[i]);
            return rk_error_set(c->err, RK_EINVAL, "%s:%d: unknown key '%s' in %s (allowed: %s)",
                                c->path, line_of(k), ks ? ks : "?", where, list);
        }
        /* duplicate keys */
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
            if (scalar(yaml_document_get_node(c->doc, q->key)) &&
                !strcmp(scalar(yaml_document_get_node(c->doc, q->key)), ks))
                return rk_error_set(c->err, RK_EINVAL, "%s:%d: key '%s' given twice in %s", c->path,
                                    line_of(k), ks, where);
    }
    return RK_OK;
}

static yaml_node_t *get(pctx *c, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *ks = scalar(yaml_document_get_node(c->doc, p->key));
        if (ks && !strcmp(ks, key)) return yaml_document_get_node(c->doc, p->value);
    }
    return NULL;
}

/* String value of map[key]; required keys missing are errors naming the mapping's line. */
static rk_status get_str(pctx *c, yaml_node_t *map, const char *key, const char *where,
                         int required, const char *dflt, char **out)
{
    yaml_node_t *v = get(c, map, key);
    if (!v) {
        if (required)
            return rk_error_set(c->err, RK_EINVAL, "%s:%d: %s needs '%s'", c->path, line_of(map),
                                where, key);
        *out = dflt ? dupstr(dflt) : NULL;
        if (dflt && !*out) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        return RK_OK;
    }
    const char *s = scalar(v);
    if (!s || !*s)
        return rk_error_set(c->err, RK_EINVAL, "%s:%d: '%s' in %s must be a non-empty text value",
                            c->path, line_of(v), key, where);
    /* titles and labels go into one line of every format (a LaTeX '%' comment, a Markdown
     * heading): a line break there would start a line of the reader's choosing */
    for (const unsigned char *u = (const unsigned char *)s; *u; u++)
        if (*u < 0x20 || *u == 0x7f)
            return rk_error_set(c->err, RK_EINVAL,
                                "%s:%d: '%s' in %s must be one line of text (no line breaks or "
                                "other control characters)",
                                c->path, line_of(v), key, where);
    *out = dupstr(s);
    return *out ? RK_OK : rk_error_set(c->err, RK_ENOMEM, "out of memory");
}

/* A sequence of scalars into a new string array. */
static rk_status get_list(pctx *c, yaml_node_t *v, const char *key, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!v) return RK_OK;
    if (v->type != YAML_SEQUENCE_NODE) return perr(c, v, "expected a list ([a, b, ...]) for ", key);
    size_t k = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (!k) return perr(c, v, "empty list for ", key);
    char **a = calloc(k, sizeof *a);
    if (!a) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    *out = a;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *it = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        const char *s = scalar(it);
        if (!s || !*s) return perr(c, it, "list items must be text values in ", key);
        a[i] = dupstr(s);
        if (!a[i]) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        *n = i + 1;
    }
    return RK_OK;
}

static size_t seq_len(const yaml_node_t *v)
{
    return (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
}

static yaml_node_t *seq_item(pctx *c, yaml_node_t *v, size_t i)
{
    return yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
}

static void free_list(char **a, size_t n)
{
    if (!a) return;
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    free(a);
}

void rk_plan_free(rk_plan *p)
{
    if (!p) return;
    free(p->path);
    free(p->dir);
    free(p->win);
    free_list(p->win_name, p->nwin);
    free(p->primary);
    free(p->improve);
    free(p->title);
    free(p->subjects);
    free(p->measurements);
    free(p->adverse_events);
    free(p->screening);
    free(p->subject_id);
    free(p->arm_var);
    free(p->site_var);
    free_list(p->arm, p->narms);
    free_list(p->arm_label, p->narms);
    for (size_t i = 0; p->pop && i < p->npops; i++) {
        free(p->pop[i].name);
        free(p->pop[i].flag);
    }
    free(p->pop);
    free(p->baseline_pop);
    for (size_t i = 0; p->vars && i < p->nvars; i++) {
        rk__pvar *v = &p->vars[i];
        free(v->var);
        free(v->label);
        free_list(v->levels, v->nlevels);
        free_list(v->level_labels, v->nlevels);
        free(v->event);
    }
    free(p->vars);
    for (size_t i = 0; p->eps && i < p->neps; i++) {
        rk__pendpoint *e = &p->eps[i];
        free(e->id);
        free(e->label);
        free(e->param);
        free(e->visit);
        free(e->value);
        free(e->population);
        free(e->death_day);
        free_list(e->levels, e->nlevels);
        free_list(e->level_labels, e->nlevels);
    }
    free(p->eps);
    free_list(p->supp, p->nsupp);
    free(p->ae_pop);
    for (size_t i = 0; p->grades && i < p->ngrades; i++)
        free(p->grades[i].label);
    free(p->grades);
    free(p->sens_endpoint);
    free_list(p->sens_pop, p->nsens_pops);
    free_list(p->sens_locf, p->nsens_locf);
    free_list(p->foot, p->nfoot);
    free_list(p->foot_table, p->nfoot);
    free(p);
}

long rk__plan_pop(const rk_plan *p, const char *name)
{
    for (size_t i = 0; i < p->npops; i++)
        if (!strcmp(p->pop[i].name, name)) return (long)i;
    return -1;
}

char *rk__plan_path(const rk_plan *p, const char *file)
{
    if (file[0] == '/' || !p->dir[0]) return dupstr(file);
    size_t n = strlen(p->dir) + strlen(file) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", p->dir, file);
    return s;
}

/* range: [lo, hi] with lo <= hi, numbers. */
static rk_status parse_range(pctx *c, yaml_node_t *map, int summary, int *has, double *lo,
                             double *hi)
{
    yaml_node_t *v = get(c, map, "range");
    *has = 0;
    if (!v) return RK_OK;
    if (v->type != YAML_SEQUENCE_NODE || seq_len(v) != 2)
        return perr(c, v, "range must be a list of two numbers: [lower, upper]", NULL);
    if (summary == RK_SUM_N_PCT) return perr(c, v, "range goes with numeric summaries only", NULL);
    double x[2];
    for (size_t i = 0; i < 2; i++) {
        const char *s = scalar(seq_item(c, v, i));
        if (!s || rk_parse_number(s, &x[i], NULL))
            return perr(c, v, "range must be a list of two numbers, not ", s ? s : "?");
    }
    if (x[0] > x[1]) return perr(c, v, "range: the lower limit is above the upper one", NULL);
    *has = 1;
    *lo = x[0];
    *hi = x[1];
    return RK_OK;
}

static rk_status need_pop(pctx *c, const rk_plan *p, yaml_node_t *at, const char *name)
{
    if (rk__plan_pop(p, name) >= 0) return RK_OK;
    return rk_error_set(c->err, RK_EINVAL,
                        "%s:%d: population '%s' is not defined under 'populations'", c->path,
                        line_of(at), name);
}

static rk_status parse_summary(pctx *c, yaml_node_t *map, int *out)
{
    yaml_node_t *v = get(c, map, "summary");
    const char *s = scalar(v);
    if (!v) return rk_error_set(c->err, RK_EINVAL, "%s:%d: needs 'summary'", c->path, line_of(map));
    if (s && !strcmp(s, "mean_sd"))
        *out = RK_SUM_MEAN_SD;
    else if (s && !strcmp(s, "median_iqr"))
        *out = RK_SUM_MEDIAN_IQR;
    else if (s && !strcmp(s, "n_pct"))
        *out = RK_SUM_N_PCT;
    else
        return perr(c, v, "summary must be mean_sd, median_iqr or n_pct, not ", s ? s : "?");
    return RK_OK;
}

/* levels / level_labels / event shared by baseline variables and endpoints. */
static rk_status parse_levels(pctx *c, yaml_node_t *map, int summary, size_t *nlev, char ***lev,
                              char ***lab, char **event)
{
    rk_status st = get_list(c, get(c, map, "levels"), "levels", lev, nlev);
    if (st) return st;
    size_t nl = 0;
    st = get_list(c, get(c, map, "level_labels"), "level_labels", lab, &nl);
    if (st) {
        free_list(*lab, nl);
        *lab = NULL;
        return st;
    }
    if (*lab && nl != *nlev) {
        free_list(*lab, nl);
        *lab = NULL;
        return perr(c, get(c, map, "level_labels"), "level_labels must have one label per level",
                    NULL);
    }
    if (event) {
        st = get_str(c, map, "event", "a variable", 0, NULL, event);
        if (st) return st;
    }
    int has_cat = *nlev > 0 || (event && *event);
    if (summary == RK_SUM_N_PCT && !has_cat)
        return perr(c, map, "summary n_pct needs 'levels' (categories) or 'event' (the yes value)",
                    NULL);
    if (summary != RK_SUM_N_PCT && has_cat)
        return perr(c, map, "'levels'/'event' go with summary n_pct only", NULL);
    if (event && *event && *nlev)
        return perr(c, map, "give either 'levels' or 'event', not both", NULL);
    return RK_OK;
}

static rk_status get_num(pctx *c, yaml_node_t *map, const char *key, int required, double dflt,
                         double *out)
{
    yaml_node_t *v = get(c, map, key);
    *out = dflt;
    if (!v) return required ? perr(c, map, "needs a number: ", key) : RK_OK;
    const char *s = scalar(v);
    if (!s || rk_parse_number(s, out, NULL))
        return perr(c, v, "expected a number, not ", s ? s : "?");
    return RK_OK;
}

/* A time_to_event endpoint: time to clinical improvement (derive: improvement). */
static rk_status parse_tte(pctx *c, yaml_node_t *en, const rk_plan *p, rk__pendpoint *e)
{
    rk_status st;
    if (get(c, en, "summary") || get(c, en, "levels") || get(c, en, "range") ||
        get(c, en, "locf") || get(c, en, "value"))
        return perr(c, en,
                    "time_to_event takes no summary, levels, range, locf or value: it reports the "
                    "Kaplan-Meier median (95% CI) per arm, the log-rank P and the Cox hazard ratio",
                    NULL);
    e->method = RK_EP_TTE;
    e->summary = RK_SUM_MEDIAN_IQR;
    if ((st = get_num(c, en, "followup", 1, 0, &e->followup))) return st;
    if (!(e->followup > 0)) return perr(c, get(c, en, "followup"), "followup must be > 0", NULL);
    yaml_node_t *dr = get(c, en, "death_rule");
    e->death_rule = RK_TTCI_DEATH_CENSORED_AT_FOLLOWUP;
    if (dr) {
        const char *s = scalar(dr);
        rk_ttci_rule r;
        rk_error e2;
        if (!s || rk_ttci_rule_parse(s, &r, &e2))
            return perr(c, dr, "death_rule must be followup, death or never, not ", s ? s : "?");
        e->death_rule = (int)r;
    }
    if ((st = get_str(c, en, "death_day", "an endpoint", 0, NULL, &e->death_day))) return st;
    if (p->narms != 2) return perr(c, en, "a hazard ratio needs exactly 2 arms in 'arms'", NULL);
    return RK_OK;
}

/* derive: windows, primary endpoint, improvement. */
static rk_status parse_derive(pctx *c, yaml_node_t *root, rk_plan *p)
{
    yaml_node_t *dn = get(c, root, "derive");
    rk_status st;
    for (size_t i = 0; i < p->neps; i++)
        if (p->eps[i].method == RK_EP_TTE && !dn)
            return rk_error_set(c->err, RK_EINVAL,
                                "%s:%d: a time_to_event endpoint needs 'derive' with "
                                "'improvement'",
                                c->path, p->eps[i].line);
    if (!dn) return RK_OK;
    static const char *const dk[] = {"windows", "primary", "improvement", NULL};
    if ((st = check_keys(c, dn, "derive", dk))) return st;
    p->derive = 1;
    yaml_node_t *wn = get(c, dn, "windows");
    if (wn) {
        if (wn->type != YAML_SEQUENCE_NODE || !seq_len(wn))
            return perr(c, wn, "windows must be a list of {visit, day, from, to}", NULL);
        p->nwin = seq_len(wn);
        p->win = calloc(p->nwin, sizeof *p->win);
        p->win_name = calloc(p->nwin, sizeof *p->win_name);
        if (!p->win || !p->win_name) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        for (size_t i = 0; i < p->nwin; i++) {
            static const char *const wk[] = {"visit", "day", "from", "to", NULL};
            yaml_node_t *w = seq_item(c, wn, i);
            rk_visit_window *v = &p->win[i];
            if ((st = check_keys(c, w, "a visit window", wk))) return st;
            if ((st = get_str(c, w, "visit", "a visit window", 1, NULL, &p->win_name[i])))
                return st;
            v->name = p->win_name[i];
            if ((st = get_num(c, w, "day", 1, 0, &v->target))) return st;
            if ((st = get_num(c, w, "from", 1, 0, &v->lo))) return st;
            if ((st = get_num(c, w, "to", 1, 0, &v->hi))) return st;
            if (!(v->lo <= v->target && v->target <= v->hi))
                return perr(c, w, "a visit window needs from <= day <= to: ", v->name);
            if (i && v->lo <= p->win[i - 1].hi)
                return perr(c, w, "visit windows must be in time order without overlap: ", v->name);
        }
    }
    if ((st = get_str(c, dn, "primary", "derive", 0, NULL, &p->primary))) return st;
    if (p->primary) {
        int found = 0;
        for (size_t i = 0; i < p->neps; i++)
            if (!strcmp(p->eps[i].id, p->primary) && p->eps[i].method != RK_EP_TTE) found = 1;
        if (!found)
            return perr(c, get(c, dn, "primary"),
                        "derive: primary is not an endpoint id: ", p->primary);
    }
    p->improve_drop = 2;
    p->discharge = 1;
    yaml_node_t *im = get(c, dn, "improvement");
    if (im) {
        static const char *const ik[] = {"parameter", "drop", "discharge", NULL};
        if ((st = check_keys(c, im, "improvement", ik))) return st;
        if ((st = get_str(c, im, "parameter", "improvement", 1, NULL, &p->improve))) return st;
        if ((st = get_num(c, im, "drop", 0, 2, &p->improve_drop))) return st;
        if ((st = get_num(c, im, "discharge", 0, 1, &p->discharge))) return st;
    }
    for (size_t i = 0; i < p->neps; i++)
        if (p->eps[i].method == RK_EP_TTE && (!p->improve || strcmp(p->eps[i].param, p->improve)))
            return rk_error_set(c->err, RK_EINVAL,
                                "%s:%d: a time_to_event endpoint's parameter must be the "
                                "improvement parameter under 'derive'",
                                c->path, p->eps[i].line);
    return RK_OK;
}

static rk_status parse_doc(pctx *c, yaml_node_t *root, rk_plan *p)
{
    static const char *const top[] = {
        "title",       "data",           "subject_id", "arm_variable", "site_variable",
        "arms",        "populations",    "baseline",   "endpoints",    "supplementary_populations",
        "sensitivity", "adverse_events", "footnotes",  "derive",       NULL};
    rk_status st = check_keys(c, root, "the plan", top);
    if (st) return st;
    if ((st = get_str(c, root, "title", "the plan", 1, NULL, &p->title))) return st;
    if ((st = get_str(c, root, "subject_id", "the plan", 0, "USUBJID", &p->subject_id))) return st;
    if ((st = get_str(c, root, "arm_variable", "the plan", 0, "TRT01P", &p->arm_var))) return st;
    if ((st = get_str(c, root, "site_variable", "the plan", 0, "SITEID", &p->site_var))) return st;

    yaml_node_t *data = get(c, root, "data");
    static const char *const dk[] = {"subjects", "measurements", "adverse_events", "screening",
                                     NULL};
    if (!data) return perr(c, root, "the plan needs 'data' (subjects, measurements, ...)", NULL);
    if ((st = check_keys(c, data, "data", dk))) return st;
    if ((st = get_str(c, data, "subjects", "data", 1, NULL, &p->subjects))) return st;
    if ((st = get_str(c, data, "measurements", "data", 0, NULL, &p->measurements))) return st;
    if ((st = get_str(c, data, "adverse_events", "data", 0, NULL, &p->adverse_events))) return st;
    if ((st = get_str(c, data, "screening", "data", 0, NULL, &p->screening))) return st;

    /* arms */
    yaml_node_t *arms = get(c, root, "arms");
    if (!arms || arms->type != YAML_SEQUENCE_NODE || seq_len(arms) < 1)
        return perr(c, arms ? arms : root, "'arms' must be a list of {code, label}", NULL);
    p->narms = seq_len(arms);
    if (p->narms > 8) return perr(c, arms, "at most 8 arms", NULL);
    p->arm = calloc(p->narms, sizeof *p->arm);
    p->arm_label = calloc(p->narms, sizeof *p->arm_label);
    if (!p->arm || !p->arm_label) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->narms; i++) {
        static const char *const ak[] = {"code", "label", NULL};
        yaml_node_t *a = seq_item(c, arms, i);
        if ((st = check_keys(c, a, "an arm", ak))) return st;
        if ((st = get_str(c, a, "code", "an arm", 1, NULL, &p->arm[i]))) return st;
        if ((st = get_str(c, a, "label", "an arm", 0, p->arm[i], &p->arm_label[i]))) return st;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(p->arm[j], p->arm[i])) return perr(c, a, "arm listed twice: ", p->arm[i]);
    }

    /* populations: name -> flag column */
    yaml_node_t *pops = get(c, root, "populations");
    if (!pops || pops->type != YAML_MAPPING_NODE)
        return perr(c, pops ? pops : root,
                    "'populations' must map names to flag columns (mITT: MITTFL)", NULL);
    p->npops = (size_t)(pops->data.mapping.pairs.top - pops->data.mapping.pairs.start);
    p->pop = calloc(p->npops ? p->npops : 1, sizeof *p->pop);
    if (!p->pop) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->npops; i++) {
        yaml_node_pair_t *pr = pops->data.mapping.pairs.start + i;
        const char *k = scalar(yaml_document_get_node(c->doc, pr->key));
        yaml_node_t *vn = yaml_document_get_node(c->doc, pr->value);
        const char *v = scalar(vn);
        if (!k || !v || !*v) return perr(c, vn, "a population maps to a flag column name", NULL);
        p->pop[i].name = dupstr(k);
        p->pop[i].flag = dupstr(v);
        if (!p->pop[i].name || !p->pop[i].flag)
            return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    }

    /* baseline */
    yaml_node_t *bl = get(c, root, "baseline");
    if (bl) {
        static const char *const bk[] = {"population", "variables", NULL};
        if ((st = check_keys(c, bl, "baseline", bk))) return st;
        if ((st = get_str(c, bl, "population", "baseline", 1, NULL, &p->baseline_pop))) return st;
        if ((st = need_pop(c, p, get(c, bl, "population"), p->baseline_pop))) return st;
        yaml_node_t *vars = get(c, bl, "variables");
        if (!vars || vars->type != YAML_SEQUENCE_NODE)
            return perr(c, vars ? vars : bl, "baseline needs a list 'variables'", NULL);
        p->nvars = seq_len(vars);
        p->vars = calloc(p->nvars ? p->nvars : 1, sizeof *p->vars);
        if (!p->vars) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        for (size_t i = 0; i < p->nvars; i++) {
            static const char *const vk[] = {"variable",     "label", "summary", "levels",
                                             "level_labels", "event", "range",   NULL};
            yaml_node_t *vn = seq_item(c, vars, i);
            rk__pvar *v = &p->vars[i];
            v->line = line_of(vn);
            if ((st = check_keys(c, vn, "a baseline variable", vk))) return st;
            if ((st = get_str(c, vn, "variable", "a baseline variable", 1, NULL, &v->var)))
                return st;
            if ((st = get_str(c, vn, "label", "a baseline variable", 0, v->var, &v->label)))
                return st;
            if ((st = parse_summary(c, vn, &v->summary))) return st;
            if ((st = parse_levels(c, vn, v->summary, &v->nlevels, &v->levels, &v->level_labels,
                                   &v->event)))
                return st;
            if ((st = parse_range(c, vn, v->summary, &v->has_range, &v->lo, &v->hi))) return st;
        }
    }

    /* endpoints */
    yaml_node_t *eps = get(c, root, "endpoints");
    if (eps) {
        if (eps->type != YAML_SEQUENCE_NODE)
            return perr(c, eps, "'endpoints' must be a list", NULL);
        p->neps = seq_len(eps);
        p->eps = calloc(p->neps ? p->neps : 1, sizeof *p->eps);
        if (!p->eps) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        for (size_t i = 0; i < p->neps; i++) {
            static const char *const ek[] = {"id",       "label",      "parameter",    "visit",
                                             "value",    "population", "locf",         "summary",
                                             "method",   "levels",     "level_labels", "range",
                                             "followup", "death_rule", "death_day",    NULL};
            yaml_node_t *en = seq_item(c, eps, i);
            rk__pendpoint *e = &p->eps[i];
            e->line = line_of(en);
            if ((st = check_keys(c, en, "an endpoint", ek))) return st;
            if ((st = get_str(c, en, "id", "an endpoint", 1, NULL, &e->id))) return st;
            for (size_t j = 0; j < i; j++)
                if (!strcmp(p->eps[j].id, e->id))
                    return perr(c, en, "endpoint id used twice: ", e->id);
            if ((st = get_str(c, en, "label", "an endpoint", 0, e->id, &e->label))) return st;
            if ((st = get_str(c, en, "parameter", "an endpoint", 1, NULL, &e->param))) return st;
            yaml_node_t *mn0 = get(c, en, "method");
            int tte = scalar(mn0) && !strcmp(scalar(mn0), "time_to_event");
            if ((st = get_str(c, en, "visit", "an endpoint", !tte, "ANY", &e->visit))) return st;
            if ((st = get_str(c, en, "value", "an endpoint", 0, "AVAL", &e->value))) return st;
            if (strcmp(e->value, "AVAL") && strcmp(e->value, "CHG") && strcmp(e->value, "PCHG") &&
                strcmp(e->value, "BASE"))
                return perr(c, get(c, en, "value"), "value must be AVAL, CHG, PCHG or BASE, not ",
                            e->value);
            if ((st = get_str(c, en, "population", "an endpoint", 1, NULL, &e->population)))
                return st;
            if ((st = need_pop(c, p, get(c, en, "population"), e->population))) return st;
            yaml_node_t *lf = get(c, en, "locf");
            if (lf) {
                const char *s = scalar(lf);
                if (s && !strcmp(s, "true"))
                    e->locf = 1;
                else if (s && !strcmp(s, "false"))
                    e->locf = 0;
                else
                    return perr(c, lf, "locf must be true or false", NULL);
            }
            if (tte) {
                if ((st = parse_tte(c, en, p, e))) return st;
                continue;
            }
            if ((st = parse_summary(c, en, &e->summary))) return st;
            yaml_node_t *mn = get(c, en, "method");
            const char *m = scalar(mn);
            if (!mn) return perr(c, en, "an endpoint needs 'method'", NULL);
            if (m && !strcmp(m, "hl_wilcoxon"))
                e->method = RK_EP_HL_WILCOXON;
            else if (m && !strcmp(m, "ordinal"))
                e->method = RK_EP_ORDINAL;
            else if (m && !strcmp(m, "fisher"))
                e->method = RK_EP_FISHER;
            else if (m && !strcmp(m, "chisq"))
                e->method = RK_EP_CHISQ;
            else if (m && !strcmp(m, "t_test"))
                e->method = RK_EP_TTEST;
            else
                return perr(c, mn,
                            "method must be hl_wilcoxon, ordinal, fisher, chisq, t_test or "
                            "time_to_event, not ",
                            m ? m : "?");
            if ((st = parse_levels(c, en, e->summary, &e->nlevels, &e->levels, &e->level_labels,
                                   NULL)))
                return st;
            /* the range checks AVAL and BASE, whatever the summary */
            if ((st = parse_range(c, en, RK_SUM_MEAN_SD, &e->has_range, &e->lo, &e->hi))) return st;
            int cat =
                e->method == RK_EP_ORDINAL || e->method == RK_EP_FISHER || e->method == RK_EP_CHISQ;
            if (cat && e->summary != RK_SUM_N_PCT)
                return perr(c, mn, "a categorical method needs summary n_pct with levels", NULL);
            if (!cat && e->summary == RK_SUM_N_PCT)
                return perr(
                    c, mn, "this method compares numbers: use summary mean_sd or median_iqr", NULL);
            if (e->method == RK_EP_TTEST && e->summary != RK_SUM_MEAN_SD)
                return perr(c, mn, "t_test goes with summary mean_sd", NULL);
            if (p->narms != 2)
                return perr(c, mn, "a between-arm difference needs exactly 2 arms in 'arms'", NULL);
        }
    }

    if ((st = parse_derive(c, root, p))) return st;

    /* supplementary populations (Table 2 again) */
    yaml_node_t *sup = get(c, root, "supplementary_populations");
    if (sup) {
        if ((st = get_list(c, sup, "supplementary_populations", &p->supp, &p->nsupp))) return st;
        for (size_t i = 0; i < p->nsupp; i++)
            if ((st = need_pop(c, p, sup, p->supp[i]))) return st;
        if (!p->neps) return perr(c, sup, "supplementary_populations need endpoints", NULL);
    }

    /* sensitivity */
    yaml_node_t *sn = get(c, root, "sensitivity");
    if (sn) {
        static const char *const sk[] = {"endpoint", "populations", "locf_populations", "models",
                                         NULL};
        if ((st = check_keys(c, sn, "sensitivity", sk))) return st;
        if ((st = get_str(c, sn, "endpoint", "sensitivity", 1, NULL, &p->sens_endpoint))) return st;
        const rk__pendpoint *e = NULL;
        for (size_t i = 0; i < p->neps; i++)
            if (!strcmp(p->eps[i].id, p->sens_endpoint)) e = &p->eps[i];
        if (!e)
            return perr(c, get(c, sn, "endpoint"),
                        "sensitivity endpoint is not an endpoint id: ", p->sens_endpoint);
        if (e->summary == RK_SUM_N_PCT)
            return perr(c, get(c, sn, "endpoint"), "sensitivity models need a numeric endpoint",
                        NULL);
        if (!get(c, sn, "populations")) return perr(c, sn, "sensitivity needs 'populations'", NULL);
        if ((st = get_list(c, get(c, sn, "populations"), "populations", &p->sens_pop,
                           &p->nsens_pops)))
            return st;
        for (size_t i = 0; i < p->nsens_pops; i++)
            if ((st = need_pop(c, p, get(c, sn, "populations"), p->sens_pop[i]))) return st;
        if ((st = get_list(c, get(c, sn, "locf_populations"), "locf_populations", &p->sens_locf,
                           &p->nsens_locf)))
            return st;
        for (size_t i = 0; i < p->nsens_locf; i++)
            if ((st = need_pop(c, p, get(c, sn, "locf_populations"), p->sens_locf[i]))) return st;
        char **ml = NULL;
        size_t nm = 0;
        yaml_node_t *mn = get(c, sn, "models");
        if (!mn) return perr(c, sn, "sensitivity needs 'models' (a list from 1 to 5)", NULL);
        st = get_list(c, mn, "models", &ml, &nm);
        for (size_t i = 0; !st && i < nm; i++) {
            if (strlen(ml[i]) != 1 || ml[i][0] < '1' || ml[i][0] > '5')
                st = perr(c, mn, "sensitivity models are numbered 1 to 5, not ", ml[i]);
            else if (p->nsens_models < 5)
                p->sens_models[p->nsens_models++] = ml[i][0] - '0';
        }
        free_list(ml, nm);
        if (st) return st;
        if (p->narms != 2) return perr(c, sn, "sensitivity models need exactly 2 arms", NULL);
    }

    /* adverse events */
    yaml_node_t *ae = get(c, root, "adverse_events");
    if (ae) {
        static const char *const aek[] = {"population", "grade_groups", NULL};
        if ((st = check_keys(c, ae, "adverse_events", aek))) return st;
        if ((st = get_str(c, ae, "population", "adverse_events", 1, NULL, &p->ae_pop))) return st;
        if ((st = need_pop(c, p, get(c, ae, "population"), p->ae_pop))) return st;
        if (!p->adverse_events)
            return perr(c, ae, "adverse_events needs data: adverse_events: FILE.csv", NULL);
        yaml_node_t *gg = get(c, ae, "grade_groups");
        if (!gg || gg->type != YAML_SEQUENCE_NODE || !seq_len(gg))
            return perr(c, gg ? gg : ae, "adverse_events needs a list 'grade_groups'", NULL);
        p->ngrades = seq_len(gg);
        p->grades = calloc(p->ngrades, sizeof *p->grades);
        if (!p->grades) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        for (size_t i = 0; i < p->ngrades; i++) {
            static const char *const gk[] = {"label", "grades", NULL};
            yaml_node_t *gn = seq_item(c, gg, i);
            if ((st = check_keys(c, gn, "a grade group", gk))) return st;
            if ((st = get_str(c, gn, "label", "a grade group", 1, NULL, &p->grades[i].label)))
                return st;
            char **gl = NULL;
            size_t ng = 0;
            yaml_node_t *gv = get(c, gn, "grades");
            if (!gv) return perr(c, gn, "a grade group needs 'grades' ([1, 2])", NULL);
            st = get_list(c, gv, "grades", &gl, &ng);
            long lo = 99, hi = -1;
            for (size_t k = 0; !st && k < ng; k++) {
                char *end;
                errno = 0;
                long g = strtol(gl[k], &end, 10);
                if (*end || errno || g < 1 || g > 5)
                    st = perr(c, gv, "grades are whole numbers 1 to 5, not ", gl[k]);
                if (g < lo) lo = g;
                if (g > hi) hi = g;
            }
            free_list(gl, ng);
            if (st) return st;
            if (hi - lo + 1 != (long)ng)
                return perr(c, gv, "a grade group must be a run of consecutive grades", NULL);
            p->grades[i].lo = lo;
            p->grades[i].hi = hi;
            for (size_t j = 0; j < i; j++)
                if (!(hi < p->grades[j].lo || lo > p->grades[j].hi))
                    return perr(c, gv, "grade groups overlap", NULL);
        }
    }

    yaml_node_t *fn = get(c, root, "footnotes");
    if (fn) {
        static const char *const fk[] = {"table1",  "table2",      "table3",
                                         "consort", "sensitivity", NULL};
        if ((st = check_keys(c, fn, "footnotes", fk))) return st;
        size_t total = 0;
        for (yaml_node_pair_t *pr = fn->data.mapping.pairs.start; pr < fn->data.mapping.pairs.top;
             pr++) {
            yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
            if (!v || v->type != YAML_SEQUENCE_NODE)
                return perr(c, v, "footnotes of a table are a list of texts", NULL);
            total += seq_len(v);
        }
        p->foot = calloc(total ? total : 1, sizeof *p->foot);
        p->foot_table = calloc(total ? total : 1, sizeof *p->foot_table);
        if (!p->foot || !p->foot_table) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
        for (yaml_node_pair_t *pr = fn->data.mapping.pairs.start; pr < fn->data.mapping.pairs.top;
             pr++) {
            const char *tab = scalar(yaml_document_get_node(c->doc, pr->key));
            yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
            for (size_t i = 0; i < seq_len(v); i++) {
                yaml_node_t *it = seq_item(c, v, i);
                if (!scalar(it)) return perr(c, it, "a footnote is a text", NULL);
                p->foot[p->nfoot] = dupstr(scalar(it));
                p->foot_table[p->nfoot] = dupstr(tab);
                p->nfoot++;
                if (!p->foot[p->nfoot - 1] || !p->foot_table[p->nfoot - 1])
                    return rk_error_set(c->err, RK_ENOMEM, "out of memory");
            }
        }
    }
    if ((p->neps || p->nvars || p->ae_pop) && !p->measurements && p->neps)
        return perr(c, root, "endpoints need data: measurements: FILE.csv", NULL);
    return RK_OK;
}

rk_status rk_plan_read(const char *path, rk_plan **out, rk_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return rk_error_set(err, RK_EINVAL, "%s: cannot open: %s", path, strerror(errno));
    rk_plan *p = calloc(1, sizeof *p);
    if (!p) {
        fclose(f);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    p->path = dupstr(path);
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 0;
    p->dir = malloc(dl + 1);
    if (!p->path || !p->dir) {
        fclose(f);
        rk_plan_free(p);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    memcpy(p->dir, path, dl);
    p->dir[dl] = '\0';

    yaml_parser_t parser;
    yaml_document_t doc;
    rk_status st = RK_OK;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        rk_plan_free(p);
        return rk_error_set(err, RK_ENOMEM, "out of memory (YAML parser)");
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        st = rk_error_set(err, RK_EINVAL, "%s:%zu: YAML syntax error: %s", path,
                          parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "unreadable");
        yaml_parser_delete(&parser);
        fclose(f);
        rk_plan_free(p);
        return st;
    }
    pctx c = {&doc, path, err};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        st = rk_error_set(err, RK_EINVAL, "%s: the plan is empty", path);
    else
        st = parse_doc(&c, root, p);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    if (st) {
        rk_plan_free(p);
        return st;
    }
    *out = p;
    return RK_OK;
}
