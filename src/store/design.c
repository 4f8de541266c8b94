/* Reading a randomization design (the YAML of `rctkit rand list --design`) as the trial's
 * configuration: its name, arms and strata, with eligibility criteria from a separate CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rctkit/data.h"
#include "store/store_int.h"
#include "store/trial.h"

#define MAX_DEPTH 32

/* Generic YAML (one document) to JSON: mappings, sequences, scalars as strings. */
static rk_status yaml_to_json(const char *text, size_t len, const char *src, json_t **out,
                              rk_error *err)
{
    *out = NULL;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return rk_error_set(err, RK_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    json_t *stack[MAX_DEPTH];
    char *keys[MAX_DEPTH]; /* pending key of each open mapping */
    int depth = 0, done = 0;
    json_t *root = NULL;
    rk_status st = RK_OK;
    memset(keys, 0, sizeof keys);
    while (!done && st == RK_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            st = rk_error_set(err, RK_EPARSE, "%s:%zu:%zu: invalid YAML: %s", src,
                              p.problem_mark.line + 1, p.problem_mark.column + 1,
                              p.problem ? p.problem : "?");
            break;
        }
        json_t *v = NULL;
        int open = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT: done = ev.type == YAML_STREAM_END_EVENT || root; break;
        case YAML_MAPPING_START_EVENT:
            v = json_object();
            open = 1;
            break;
        case YAML_SEQUENCE_START_EVENT:
            v = json_array();
            open = 1;
            break;
        case YAML_SCALAR_EVENT:
            v = json_stringn((const char *)ev.data.scalar.value, ev.data.scalar.length);
            if (!v)
                st = rk_error_set(err, RK_EPARSE, "%s:%zu: not UTF-8 text", src,
                                  ev.start_mark.line + 1);
            break;
        case YAML_ALIAS_EVENT:
            st = rk_error_set(err, RK_EPARSE, "%s:%zu: YAML aliases are not supported", src,
                              ev.start_mark.line + 1);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            free(keys[depth - 1]);
            keys[depth - 1] = NULL;
            depth--;
            break;
        default: break;
        }
        size_t line = ev.start_mark.line + 1;
        yaml_event_delete(&ev);
        if (st != RK_OK || !v) {
            json_decref(v);
            continue;
        }
        if (depth == 0) {
            if (root) {
                json_decref(v);
                st = rk_error_set(err, RK_EPARSE, "%s:%zu: more than one YAML document", src, line);
                continue;
            }
            root = v;
        } else {
            json_t *parent = stack[depth - 1];
            if (json_is_array(parent)) {
                json_array_append(parent, v);
            } else if (!keys[depth - 1]) {
                if (!json_is_string(v)) {
                    json_decref(v);
                    st = rk_error_set(err, RK_EPARSE, "%s:%zu: mapping keys must be plain words",
                                      src, line);
                    continue;
                }
                keys[depth - 1] = strdup(json_string_value(v));
                json_decref(v);
                continue;
            } else {
                if (json_object_get(parent, keys[depth - 1])) {
                    st = rk_error_set(err, RK_EPARSE, "%s:%zu: key '%.60s' appears twice", src,
                                      line, keys[depth - 1]);
                    json_decref(v);
                    continue;
                }
                json_object_set(parent, keys[depth - 1], v);
                free(keys[depth - 1]);
                keys[depth - 1] = NULL;
            }
            json_decref(v); /* the parent holds it now (open containers stay borrowed) */
        }
        if (open) {
            if (depth == MAX_DEPTH) {
                st = rk_error_set(err, RK_EPARSE, "%s:%zu: nested too deeply", src, line);
                continue;
            }
            stack[depth++] = v;
        }
    }
    for (int i = 0; i < MAX_DEPTH; i++)
        free(keys[i]);
    yaml_parser_delete(&p);
    if (st == RK_OK && !json_is_object(root))
        st = rk_error_set(err, RK_EPARSE, "%s: expected a YAML mapping (trial:, arms:, strata:)",
                          src);
    if (st != RK_OK) {
        json_decref(root);
        return st;
    }
    *out = root;
    return RK_OK;
}

static rk_status design_error(rk_error *err, const char *src, const char *what)
{
    return rk_error_set(err, RK_EINVAL, "%s: %s", src, what);
}

rk_status rk__design_to_trial(const char *text, size_t len, const char *src,
                              const char *eligibility_csv, int with_list, char **trial_json,
                              json_t **site_levels, rk_error *err)
{
    *trial_json = NULL;
    *site_levels = NULL;
    json_t *d = NULL;
    rk_status st = yaml_to_json(text, len, src, &d, err);
    if (st) return st;
    json_t *t = json_object(), *arms = json_array(), *factors = json_array(), *elig = json_array();
    json_t *name = json_object_get(d, "trial");
    json_t *darms = json_object_get(d, "arms");
    json_t *strata = json_object_get(d, "strata");
    json_t *proc = json_object_get(json_object_get(d, "procedure"), "name");
    size_t i;
    json_t *v;
    if (!json_is_string(name)) {
        st = design_error(err, src, "the design needs 'trial: NAME'");
        goto done;
    }
    if (with_list && json_is_string(proc) && !strcmp(json_string_value(proc), "minimization")) {
        st = rk_error_set(err, RK_EINVAL,
                          "%s: procedure 'minimization' runs at allocation time and has no list: "
                          "give --seed instead of --list",
                          src);
        goto done;
    }
    if (!json_is_array(darms)) {
        st = design_error(err, src, "the design needs 'arms:' (a list of {name, ratio})");
        goto done;
    }
    json_array_foreach(darms, i, v)
    {
        json_t *an = json_is_object(v) ? json_object_get(v, "name") : v;
        if (!json_is_string(an)) {
            st = design_error(err, src, "each arm needs a 'name'");
            goto done;
        }
        json_array_append(arms, an);
    }
    int has_site = 0;
    json_array_foreach(strata, i, v)
    {
        json_t *fn = json_object_get(v, "name");
        json_t *lv = json_object_get(v, "levels");
        if (!json_is_string(fn)) {
            st = design_error(err, src, "each stratification factor needs a 'name'");
            goto done;
        }
        if (!strcmp(json_string_value(fn), "site")) {
            has_site = 1;
            json_array_append_new(factors, json_pack("{s:O}", "name", fn));
            json_decref(*site_levels);
            *site_levels = json_is_array(lv) ? json_incref(lv) : json_array();
        } else {
            json_array_append_new(
                factors, json_pack("{s:O,s:O}", "name", fn, "levels", lv ? lv : json_array()));
        }
    }
    if (!has_site) {
        st = design_error(err, src,
                          "the design has no stratification factor 'site': the server "
                          "randomizes by site (add it to 'strata:')");
        goto done;
    }
    if (eligibility_csv) {
        rk_table *tb = NULL;
        if ((st = rk_csv_read(eligibility_csv, &tb, err))) goto done;
        size_t ci, ck, ct;
        if ((st = rk_table_column(tb, "id", &ci, err)) ||
            (st = rk_table_column(tb, "kind", &ck, err)) ||
            (st = rk_table_column(tb, "text", &ct, err))) {
            rk_table_free(tb);
            goto done;
        }
        for (size_t r = 0; r < rk_table_nrows(tb); r++)
            json_array_append_new(elig, json_pack("{s:s,s:s,s:s}", "id", rk_table_cell(tb, r, ci),
                                                  "kind", rk_table_cell(tb, r, ck), "text",
                                                  rk_table_cell(tb, r, ct)));
        rk_table_free(tb);
    }
    json_object_set(t, "name", name);
    json_object_set(t, "arms", arms);
    json_object_set(t, "factors", factors);
    json_object_set(t, "eligibility", elig);
    *trial_json = json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!*trial_json) st = rk_error_set(err, RK_ENOMEM, "out of memory");
done:
    if (st) {
        json_decref(*site_levels);
        *site_levels = NULL;
    }
    json_decref(d);
    json_decref(t);
    json_decref(arms);
    json_decref(factors);
    json_decref(elig);
    return st;
}
