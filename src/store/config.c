/* Configuring a trial store from its files (trial JSON, sites, users, randomization list) in
 * one audited transaction. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"
#include "rctkit/rand.h"
#include "store/store_int.h"
#include "store/trial.h"

#define MAX_FILE ((size_t)256 << 20)

static rk_status read_file(const char *path, char **out, size_t *len, rk_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return rk_error_set(err, RK_EIO, "%s: cannot open: %s", path, strerror(errno));
    rk_buf b;
    rk_buf_init(&b, MAX_FILE);
    char chunk[65536];
    size_t n;
    rk_status st = RK_OK;
    while (st == RK_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        st = rk_buf_append(&b, chunk, n, err);
    if (st == RK_OK && ferror(f)) st = rk_error_set(err, RK_EIO, "%s: read error", path);
    fclose(f);
    if (st == RK_OK && !b.data) st = rk_buf_append(&b, "", 0, err);
    if (st != RK_OK) {
        rk_buf_free(&b);
        return st;
    }
    *out = b.data;
    *len = b.len;
    return RK_OK;
}

static int good_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == '@'))
            return 0;
    }
    return 1;
}

int rk__good_id(const char *s)
{
    return good_name(s, 64);
}

/* ---- the trial file ---- */

void rk__trial_free(rk__trial *t)
{
    if (!t) return;
    json_decref(t->json);
    free(t);
}

static rk_status trial_error(rk_error *err, const char *src, const char *fmt, const char *a)
{
    char m[300];
    snprintf(m, sizeof m, fmt, a);
    return rk_error_set(err, RK_EINVAL, "%s: %s", src, m);
}

rk_status rk__trial_parse(const char *text, const char *src, rk__trial **out, rk_error *err)
{
    *out = NULL;
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return rk_error_set(err, RK_EPARSE, "%s:%d:%d: invalid JSON: %s", src, je.line, je.column,
                            je.text);
    rk__trial *t = calloc(1, sizeof *t);
    if (!t) {
        json_decref(j);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    t->json = j;
    t->site_factor = -1;
    rk_status st = RK_OK;
    const char *key;
    json_t *v;
    if (!json_is_object(j)) {
        st = trial_error(err, src, "expected a JSON object%s", "");
        goto done;
    }
    json_object_foreach(j, key, v)
    {
        if (strcmp(key, "name") && strcmp(key, "arms") && strcmp(key, "factors") &&
            strcmp(key, "eligibility")) {
            st = trial_error(err, src,
                             "unknown field '%s' (expected name, arms, factors, eligibility)", key);
            goto done;
        }
    }
    json_t *name = json_object_get(j, "name");
    if (!json_is_string(name) || !json_string_length(name)) {
        st = trial_error(err, src, "\"name\" must be a non-empty string%s", "");
        goto done;
    }
    t->name = json_string_value(name);
    json_t *arms = json_object_get(j, "arms");
    if (!json_is_array(arms) || json_array_size(arms) < 2 || json_array_size(arms) > RK__MAX_ARMS) {
        st = trial_error(err, src, "\"arms\" must be an array of 2 to 16 arm codes%s", "");
        goto done;
    }
    size_t i;
    json_array_foreach(arms, i, v)
    {
        if (!json_is_string(v) || !good_name(json_string_value(v), 32)) {
            st = trial_error(
                err, src, "\"arms\": each arm is a code of letters, digits, '_', '-', '.'%s", "");
            goto done;
        }
        t->arms[i] = json_string_value(v);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(t->arms[k], t->arms[i])) {
                st = trial_error(err, src, "\"arms\": arm '%s' is listed twice", t->arms[i]);
                goto done;
            }
    }
    t->n_arms = json_array_size(arms);
    json_t *factors = json_object_get(j, "factors");
    if (!json_is_array(factors) || json_array_size(factors) < 1 ||
        json_array_size(factors) > RK__MAX_FACTORS) {
        st = trial_error(err, src,
                         "\"factors\" must be an array of 1 to 8 stratification "
                         "factors (e.g. [{\"name\": \"site\"}])%s",
                         "");
        goto done;
    }
    json_array_foreach(factors, i, v)
    {
        json_t *fn = json_object_get(v, "name");
        json_t *lv = json_object_get(v, "levels");
        if (!json_is_object(v) || !json_is_string(fn) || !good_name(json_string_value(fn), 32)) {
            st = trial_error(err, src, "\"factors\": each factor needs a \"name\"%s", "");
            goto done;
        }
        const char *k2;
        json_t *v2;
        json_object_foreach(v, k2, v2)
        {
            if (strcmp(k2, "name") && strcmp(k2, "levels")) {
                st = trial_error(err, src, "\"factors\": unknown field '%s' (name, levels)", k2);
                goto done;
            }
        }
        rk__factor *f = &t->factors[i];
        f->name = json_string_value(fn);
        if (!strcmp(f->name, "site")) {
            if (lv) {
                st = trial_error(err, src,
                                 "\"factors\": the levels of 'site' come from the sites "
                                 "file%s",
                                 "");
                goto done;
            }
            t->site_factor = (int)i;
            continue;
        }
        if (!json_is_array(lv) || json_array_size(lv) < 1 || json_array_size(lv) > RK__MAX_LEVELS) {
            st = trial_error(err, src, "\"factors\": factor '%s' needs \"levels\" (1 to 64)",
                             f->name);
            goto done;
        }
        size_t k;
        json_t *l;
        json_array_foreach(lv, k, l)
        {
            if (!json_is_string(l) || !good_name(json_string_value(l), 32)) {
                st = trial_error(err, src,
                                 "\"factors\": levels of '%s' are codes of letters, digits, "
                                 "'_', '-', '.'",
                                 f->name);
                goto done;
            }
            f->levels[k] = json_string_value(l);
        }
        f->n_levels = json_array_size(lv);
    }
    t->n_factors = json_array_size(factors);
    for (size_t a = 0; a < t->n_factors; a++)
        for (size_t b = 0; b < a; b++)
            if (!strcmp(t->factors[a].name, t->factors[b].name)) {
                st = trial_error(err, src, "\"factors\": factor '%s' is listed twice",
                                 t->factors[a].name);
                goto done;
            }
    if (t->site_factor < 0) {
        st = trial_error(err, src,
                         "\"factors\" must include {\"name\": \"site\"} (randomization is "
                         "stratified by site)%s",
                         "");
        goto done;
    }
    json_t *el = json_object_get(j, "eligibility");
    if (el && !json_is_array(el)) {
        st = trial_error(err, src, "\"eligibility\" must be an array%s", "");
        goto done;
    }
    if (el) {
        if (json_array_size(el) > RK__MAX_CRITERIA) {
            st = trial_error(err, src, "\"eligibility\": at most 64 criteria%s", "");
            goto done;
        }
        json_array_foreach(el, i, v)
        {
            json_t *id = json_object_get(v, "id");
            json_t *kind = json_object_get(v, "kind");
            if (!json_is_object(v) || !json_is_string(id) ||
                !good_name(json_string_value(id), 64) || !json_is_string(kind) ||
                (strcmp(json_string_value(kind), "inclusion") &&
                 strcmp(json_string_value(kind), "exclusion"))) {
                st = trial_error(err, src,
                                 "\"eligibility\": each criterion needs an \"id\" and a "
                                 "\"kind\" (inclusion or exclusion)%s",
                                 "");
                goto done;
            }
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2)
            {
                if (strcmp(k2, "id") && strcmp(k2, "kind") && strcmp(k2, "text")) {
                    st = trial_error(err, src,
                                     "\"eligibility\": unknown field '%s' (id, kind, text)", k2);
                    goto done;
                }
            }
            t->criteria[i].id = json_string_value(id);
            t->criteria[i].exclusion = !strcmp(json_string_value(kind), "exclusion");
        }
        t->n_criteria = json_array_size(el);
    }
done:
    if (st != RK_OK) {
        rk__trial_free(t);
        return st;
    }
    *out = t;
    return RK_OK;
}

rk_status rk__trial_load(rk_store *s, rk__trial **out, rk_error *err)
{
    *out = NULL;
    char *text = rk__meta_get(s, "trial");
    if (!text)
        return rk_error_set(err, RK_ESTATE,
                            "the database has no trial configured (run 'rctkit trial init')");
    rk_status st = rk__trial_parse(text, "trial", out, err);
    free(text);
    /* the levels of "site" are checked against the sites table (rk__site_exists) */
    return st;
}

/* ---- configuration ---- */

static rk_status need_col(const rk_table *t, const char *name, size_t *col, rk_error *err)
{
    return rk_table_column(t, name, col, err);
}

static rk_status load_sites(rk_store *s, const char *path, const char *who, rk_error *err)
{
    rk_table *t = NULL;
    rk_status st = rk_csv_read(path, &t, err);
    if (st != RK_OK) return st;
    size_t cs, cn;
    if ((st = need_col(t, "site", &cs, err)) != RK_OK ||
        (st = need_col(t, "name", &cn, err)) != RK_OK)
        goto done;
    if (rk_table_nrows(t) == 0) {
        st = rk_error_set(err, RK_EINVAL, "%s: no sites", path);
        goto done;
    }
    for (size_t r = 0; r < rk_table_nrows(t); r++) {
        const char *site = rk_table_cell(t, r, cs);
        if (!good_name(site, 32)) {
            st = rk_error_set(err, RK_EINVAL,
                              "%s:%zu: column 'site': '%s' is not a site code (letters, "
                              "digits, '_', '-', '.', at most 32)",
                              path, rk_table_line(t, r), site);
            goto done;
        }
        sqlite3_stmt *q = rk__stmt(s, "INSERT INTO sites(site, name) VALUES(?, ?)", err);
        if (!q) {
            st = err ? err->code : RK_EINTERNAL;
            goto done;
        }
        sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, rk_table_cell(t, r, cn), -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_CONSTRAINT) {
            st = rk_error_set(err, RK_EINVAL, "%s:%zu: site '%s' is listed twice", path,
                              rk_table_line(t, r), site);
            goto done;
        }
        if (rc != SQLITE_DONE) {
            st = rk__sql_error(s, "adding a site", err);
            goto done;
        }
        char what[200];
        snprintf(what, sizeof what, "site=%s name=%.120s", site, rk_table_cell(t, r, cn));
        if ((st = rk__audit_append(s, who, "site_add", what, "trial configuration", NULL, err)) !=
            RK_OK)
            goto done;
    }
done:
    rk_table_free(t);
    return st;
}

int rk__site_exists(rk_store *s, const char *site)
{
    sqlite3_stmt *q = rk__stmt(s, "SELECT 1 FROM sites WHERE site = ?", NULL);
    if (!q) return 0;
    sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
    int found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_reset(q);
    return found;
}

rk_status rk__user_add(rk_store *s, const char *username, rk_role role, const char *site,
                       const char *pwhash, const char *who, const char *why, rk_error *err)
{
    if (!rk__good_id(username))
        return rk_error_set(err, RK_EINVAL,
                            "user name '%.80s' must be 1 to 64 letters, digits, '_', '-', '.', "
                            "'@'",
                            username);
    if (rk_role_site_bound(role)) {
        if (!rk__site_exists(s, site))
            return rk_error_set(err, RK_EINVAL,
                                "user '%s': a%s %s works at one site: '%.40s' is not a site of "
                                "this trial",
                                username, role == RK_ROLE_INVESTIGATOR ? "n" : "",
                                rk_role_name(role), site);
    } else if (strcmp(site, "*") != 0) {
        return rk_error_set(err, RK_EINVAL,
                            "user '%s': a %s is not tied to a site: give site '*', not '%.40s'",
                            username, rk_role_name(role), site);
    }
    sqlite3_stmt *q =
        rk__stmt(s, "INSERT INTO users(username, role, site, pwhash) VALUES(?, ?, ?, ?)", err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, rk_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, pwhash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc == SQLITE_CONSTRAINT)
        return rk_error_set(err, RK_EINVAL, "user '%s' already exists", username);
    if (rc != SQLITE_DONE) return rk__sql_error(s, "adding a user", err);
    char what[200];
    snprintf(what, sizeof what, "user=%s role=%s site=%s", username, rk_role_name(role), site);
    return rk__audit_append(s, who, "user_add", what, why, NULL, err);
}

static rk_status load_users(rk_store *s, const char *path, rk_pwcost cost, const char *who,
                            rk_error *err)
{
    rk_table *t = NULL;
    rk_status st = rk_csv_read(path, &t, err);
    if (st != RK_OK) return st;
    size_t cu, cr, cs, cp = 0;
    long cph = rk_table_find(t, "password_hash"), cpw = rk_table_find(t, "password");
    if ((st = need_col(t, "username", &cu, err)) != RK_OK ||
        (st = need_col(t, "role", &cr, err)) != RK_OK ||
        (st = need_col(t, "site", &cs, err)) != RK_OK)
        goto done;
    if ((cph < 0) == (cpw < 0)) {
        st = rk_error_set(err, RK_EINVAL,
                          "%s: give exactly one of the columns 'password' (hashed on import) "
                          "or 'password_hash' (an Argon2id string)",
                          path);
        goto done;
    }
    cp = (size_t)(cph >= 0 ? cph : cpw);
    size_t n_admin = 0;
    for (size_t r = 0; r < rk_table_nrows(t); r++) {
        size_t line = rk_table_line(t, r);
        rk_role role;
        rk_error e2;
        if (rk_role_parse(rk_table_cell(t, r, cr), &role, &e2) != RK_OK) {
            st = rk_error_set(err, RK_EINVAL, "%s:%zu: column 'role': %s", path, line, e2.msg);
            goto done;
        }
        if (role == RK_ROLE_ADMIN) n_admin++;
        const char *pw = rk_table_cell(t, r, cp);
        char hash[crypto_pwhash_STRBYTES];
        if (cph >= 0) {
            if (strncmp(pw, "$argon2id$", 10) != 0 || strlen(pw) >= sizeof hash) {
                st = rk_error_set(err, RK_EINVAL,
                                  "%s:%zu: column 'password_hash': not an Argon2id hash "
                                  "(make one with 'rctkit trial hash-password')",
                                  path, line);
                goto done;
            }
            rk__strlcpy(hash, pw, sizeof hash);
        } else if (rk_password_hash(pw, cost, hash, sizeof hash, &e2) != RK_OK) {
            st = rk_error_set(err, e2.code, "%s:%zu: column 'password': %s", path, line, e2.msg);
            goto done;
        }
        if (rk__user_add(s, rk_table_cell(t, r, cu), role, rk_table_cell(t, r, cs), hash, who,
                         "trial configuration", &e2) != RK_OK) {
            st = rk_error_set(err, e2.code, "%s:%zu: %s", path, line, e2.msg);
            goto done;
        }
    }
    if (n_admin == 0)
        st = rk_error_set(err, RK_EINVAL, "%s: no administrator (role 'administrator')", path);
done:
    rk_table_free(t);
    return st;
}

/* Splits stratum "S01|F" and checks each level against the trial's factors. */
rk_status rk__stratum_check(rk_store *s, const rk__trial *t, const char *stratum, char *site,
                            size_t site_size, rk_error *err)
{
    const char *p = stratum;
    for (size_t f = 0; f < t->n_factors; f++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if ((bar == NULL) != (f + 1 == t->n_factors))
            return rk_error_set(err, RK_EINVAL,
                                "stratum '%.100s' does not have %zu levels joined by '|' "
                                "(factors in order: %s%s%s)",
                                stratum, t->n_factors, t->factors[0].name,
                                t->n_factors > 1 ? ", " : "",
                                t->n_factors > 1 ? t->factors[1].name : "");
        char lv[64];
        if (n == 0 || n >= sizeof lv)
            return rk_error_set(err, RK_EINVAL, "stratum '%.100s': empty or too long level",
                                stratum);
        memcpy(lv, p, n);
        lv[n] = '\0';
        const rk__factor *fa = &t->factors[f];
        int ok = 0;
        if ((int)f == t->site_factor) {
            ok = rk__site_exists(s, lv);
            if (ok) rk__strlcpy(site, lv, site_size);
        } else {
            for (size_t k = 0; k < fa->n_levels && !ok; k++)
                ok = !strcmp(fa->levels[k], lv);
        }
        if (!ok)
            return rk_error_set(err, RK_EINVAL, "stratum '%.100s': '%s' is not a level of %s",
                                stratum, lv, fa->name);
        p = bar ? bar + 1 : p + n;
    }
    return RK_OK;
}

static rk_status parse_pos(const char *cell, const char *path, size_t line, const char *col,
                           int64_t *out, rk_error *err)
{
    char *end;
    errno = 0;
    long long v = strtoll(cell, &end, 10);
    if (!*cell || *end || errno || v < 1)
        return rk_error_set(err, RK_EINVAL,
                            "%s:%zu: column '%s': '%.40s' is not a positive "
                            "whole number",
                            path, line, col, cell);
    *out = v;
    return RK_OK;
}

static rk_status load_list(rk_store *s, const rk__trial *t, const char *path, const char *who,
                           rk_error *err)
{
    char *text = NULL;
    size_t len = 0;
    rk_status st = read_file(path, &text, &len, err);
    if (st != RK_OK) return st;
    /* The audit trail (readable by blinded roles) records a keyed hash of the list: a plain
     * hash of a short list could be inverted by trying every possible list. The key stays in
     * the database (meta 'list_key'), so whoever holds the file can check the upload. */
    unsigned char digest[32], key[32];
    char key_hex[65];
    randombytes_buf(key, sizeof key);
    crypto_generichash(digest, sizeof digest, (const unsigned char *)text, len, key, sizeof key);
    sodium_bin2hex(key_hex, sizeof key_hex, key, sizeof key);
    if ((st = rk__meta_put(s, "list_key", key_hex, err)) != RK_OK) {
        free(text);
        return st;
    }
    rk_table *tb = NULL;
    st = rk_csv_parse(text, len, path, &tb, err);
    free(text);
    if (st != RK_OK) return st;
    static const char *const cols[] = {"rand_no", "stratum", "block", "block_size", "arm"};
    size_t c[5];
    for (size_t i = 0; i < 5; i++)
        if ((st = need_col(tb, cols[i], &c[i], err)) != RK_OK) goto done;
    if (rk_table_ncols(tb) != 5) {
        st = rk_error_set(err, RK_EINVAL,
                          "%s: expected exactly the columns rand_no,stratum,block,block_size,"
                          "arm (as written by 'rctkit rand list')",
                          path);
        goto done;
    }
    size_t n = rk_table_nrows(tb);
    if (n == 0) {
        st = rk_error_set(err, RK_EINVAL, "%s: the list has no slots", path);
        goto done;
    }
    char prev_stratum[256] = "";
    size_t n_strata = 0;
    for (size_t r = 0; r < n; r++) {
        size_t line = rk_table_line(tb, r);
        const char *rand_no = rk_table_cell(tb, r, c[0]);
        const char *stratum = rk_table_cell(tb, r, c[1]);
        const char *arm = rk_table_cell(tb, r, c[4]);
        int64_t block = 0, bsize = 0;
        char site[64];
        rk_error e2;
        if (!good_name(rand_no, 64)) {
            st = rk_error_set(err, RK_EINVAL,
                              "%s:%zu: column 'rand_no': '%.40s' is not a "
                              "randomization number",
                              path, line, rand_no);
            goto done;
        }
        if (strlen(stratum) >= sizeof prev_stratum ||
            rk__stratum_check(s, t, stratum, site, sizeof site, &e2) != RK_OK) {
            st = rk_error_set(err, RK_EINVAL, "%s:%zu: column 'stratum': %s", path, line,
                              strlen(stratum) >= sizeof prev_stratum ? "too long" : e2.msg);
            goto done;
        }
        if ((st = parse_pos(rk_table_cell(tb, r, c[2]), path, line, "block", &block, err)) !=
                RK_OK ||
            (st = parse_pos(rk_table_cell(tb, r, c[3]), path, line, "block_size", &bsize, err)) !=
                RK_OK)
            goto done;
        size_t a;
        for (a = 0; a < t->n_arms && strcmp(t->arms[a], arm); a++)
            ;
        if (a == t->n_arms) {
            st = rk_error_set(err, RK_EINVAL,
                              "%s:%zu: column 'arm': '%.40s' is not an arm of "
                              "the trial",
                              path, line, arm);
            goto done;
        }
        if (strcmp(prev_stratum, stratum)) n_strata++;
        rk__strlcpy(prev_stratum, stratum, sizeof prev_stratum);
        sqlite3_stmt *q = rk__stmt(s,
                                   "INSERT INTO slots(stratum, seq, rand_no, block, block_size, "
                                   "arm) VALUES(?1, (SELECT coalesce(max(seq), 0) + 1 FROM slots "
                                   "WHERE stratum = ?1), ?2, ?3, ?4, ?5)",
                                   err);
        if (!q) {
            st = err ? err->code : RK_EINTERNAL;
            goto done;
        }
        sqlite3_bind_text(q, 1, stratum, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, rand_no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, block);
        sqlite3_bind_int64(q, 4, bsize);
        sqlite3_bind_text(q, 5, arm, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_CONSTRAINT) {
            st = rk_error_set(err, RK_EINVAL, "%s:%zu: randomization number '%s' is used twice",
                              path, line, rand_no);
            goto done;
        }
        if (rc != SQLITE_DONE) {
            st = rk__sql_error(s, "storing the list", err);
            goto done;
        }
    }
    char hex[65], what[300];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    sqlite3_stmt *q = NULL;
    int64_t k = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT count(DISTINCT stratum) FROM slots", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        k = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    snprintf(what, sizeof what, "slots=%zu strata=%" PRId64 " keyed_blake2b=%s", n, k, hex);
    st = rk__audit_append(s, who, "list_upload", what, "trial configuration", NULL, err);
done:
    rk_table_free(tb);
    return st;
}

static rk_status meta_put(rk_store *s, const char *key, const char *value, rk_error *err)
{
    sqlite3_stmt *q = rk__stmt(s, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? RK_OK : rk__sql_error(s, "writing trial metadata", err);
}

rk_status rk__meta_put(rk_store *s, const char *key, const char *value, rk_error *err)
{
    return meta_put(s, key, value, err);
}

/* Allocation time: the design text and the seed's key in meta (the key never leaves the
 * database: no endpoint reads it), audited without the key. */
static rk_status setup_dynamic(rk_store *s, const rk_rand_design *d, const char *text,
                               const char *seed, const char *who, rk_error *err)
{
    unsigned char key[RK_RAND_KEYBYTES], digest[32];
    char hex[2 * RK_RAND_KEYBYTES + 1], dhex[65], what[300];
    rk_status st = rk_rand_seed_key(seed, key, err);
    if (st != RK_OK) return st;
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    st = meta_put(s, "rand_key", hex, err);
    sodium_memzero(hex, sizeof hex);
    if (st == RK_OK) st = meta_put(s, "design", text, err);
    if (st != RK_OK) return st;
    crypto_generichash(digest, sizeof digest, (const unsigned char *)text, strlen(text), NULL, 0);
    sodium_bin2hex(dhex, sizeof dhex, digest, sizeof digest);
    snprintf(what, sizeof what, "procedure=%s design_blake2b=%s", rk_rand_proc_name(d->proc), dhex);
    return rk__audit_append(s, who, "dynamic_setup", what, "trial configuration", NULL, err);
}

rk_status rk_store_configure(rk_store *s, const rk_trial_files *f, rk_pwcost cost, const char *who,
                             rk_error *err)
{
    if (!f->trial || !f->sites || !f->users || (!f->list && !f->seed))
        return rk_error_set(err, RK_EINVAL,
                            "a trial needs its trial, sites, users and list files (or, for a "
                            "design randomized at allocation time, a seed instead of the list)");
    if (f->list && f->seed)
        return rk_error_set(err, RK_EINVAL,
                            "give a list or a seed, not both: a seed is for a design randomized "
                            "at allocation time (complete, efron, big-stick, minimization)");
    if (sodium_init() < 0) return rk_error_set(err, RK_EINTERNAL, "libsodium failed to start");
    char *text = NULL;
    size_t len;
    rk_status st = read_file(f->trial, &text, &len, err);
    if (st != RK_OK) return st;
    json_t *site_levels = NULL;
    size_t nt = strlen(f->trial);
    int yaml = (nt > 5 && !strcmp(f->trial + nt - 5, ".yaml")) ||
               (nt > 4 && !strcmp(f->trial + nt - 4, ".yml"));
    rk_rand_design *design = NULL;
    char *design_text = NULL;
    if (f->seed && !yaml) {
        free(text);
        return rk_error_set(err, RK_EINVAL,
                            "%s: a seed needs a design YAML with a procedure run at allocation "
                            "time (complete, efron, big-stick, minimization)",
                            f->trial);
    }
    if (f->seed) { /* allocation time: the engine must accept the design as it is */
        rk_rand_state *probe = NULL;
        st = rk_rand_design_parse(text, len, f->trial, &design, err);
        if (st == RK_OK && (st = rk_rand_state_new(design, &probe, err)) != RK_OK)
            st = rk_error_set(err, RK_EINVAL,
                              "%s: procedure %s makes lists: make one with 'rctkit rand list "
                              "--seed' and give it instead of a seed (allocation time applies "
                              "to complete, efron, big-stick and minimization)",
                              f->trial, rk_rand_proc_name(design->proc));
        rk_rand_state_free(probe);
        if (st != RK_OK) {
            rk_rand_design_free(design);
            free(text);
            return st;
        }
        design_text = text;
        text = NULL;
    }
    if (yaml) {
        char *tj = NULL;
        const char *src = design_text ? design_text : text;
        st = rk__design_to_trial(src, len, f->trial, f->eligibility, f->list != NULL, &tj,
                                 &site_levels, err);
        free(text);
        text = tj;
        if (st != RK_OK) {
            rk_rand_design_free(design);
            free(design_text);
            return st;
        }
    } else if (f->eligibility) {
        free(text);
        return rk_error_set(err, RK_EINVAL,
                            "%s: eligibility criteria go in the trial JSON itself; a separate "
                            "eligibility file is for a design YAML",
                            f->trial);
    }
    rk__trial *t = NULL;
    st = rk__trial_parse(text, f->trial, &t, err);
    free(text);
    if (st == RK_OK) st = rk__begin(s, err);
    if (st != RK_OK) {
        rk__trial_free(t);
        json_decref(site_levels);
        rk_rand_design_free(design);
        free(design_text);
        return st;
    }
    char *compact = json_dumps(t->json, JSON_COMPACT | JSON_SORT_KEYS);
    char what[300];
    snprintf(what, sizeof what, "trial=%.200s arms=%zu factors=%zu criteria=%zu", t->name,
             t->n_arms, t->n_factors, t->n_criteria);
    char *existing = rk__meta_get(s, "trial");
    if (existing) {
        free(existing);
        st = rk_error_set(err, RK_ESTATE, "this database already has a trial configured");
    } else if (!compact) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    if (st == RK_OK) st = meta_put(s, "trial", compact, err);
    if (st == RK_OK)
        st = rk__audit_append(s, who, "configure", what, "trial configuration", NULL, err);
    if (st == RK_OK) st = load_sites(s, f->sites, who, err);
    if (st == RK_OK && site_levels) { /* the design's sites must be the sites file's */
        size_t i;
        json_t *v;
        json_array_foreach(site_levels, i, v)
        {
            if (!json_is_string(v) || !rk__site_exists(s, json_string_value(v))) {
                st = rk_error_set(err, RK_EINVAL, "%s: site '%.40s' of the design is not in %s",
                                  f->trial, json_is_string(v) ? json_string_value(v) : "?",
                                  f->sites);
                break;
            }
        }
    }
    if (st == RK_OK && design) {
        sqlite3_stmt *q = rk__stmt(s, "SELECT count(*) FROM sites", err);
        int64_t n_sites = 0;
        if (q && sqlite3_step(q) == SQLITE_ROW) n_sites = sqlite3_column_int64(q, 0);
        if (q) sqlite3_reset(q);
        if (n_sites != (int64_t)json_array_size(site_levels))
            st = rk_error_set(err, RK_EINVAL,
                              "%s: the design's 'site' levels must be exactly the sites of %s "
                              "(allocation time needs every site's level)",
                              f->trial, f->sites);
    }
    json_decref(site_levels);
    if (st == RK_OK) st = load_users(s, f->users, cost, who, err);
    if (st == RK_OK && f->list) st = load_list(s, t, f->list, who, err);
    if (st == RK_OK && design) st = setup_dynamic(s, design, design_text, f->seed, who, err);
    rk_rand_design_free(design);
    free(design_text);
    free(compact);
    rk__trial_free(t);
    if (st != RK_OK) {
        rk__rollback(s);
        return st;
    }
    return rk__commit(s, err);
}
