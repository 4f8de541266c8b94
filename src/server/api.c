/* The server's endpoints: authentication, role and site checks, enrolment, randomization,
 * emergency unblinding, list, export, lock, messages, audit and user administration.  Every
 * function here runs on the database thread inside the current transaction. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/supply_api.h"
#include "store/auth.h"
#include "store/store_int.h"

#define ROLE(r) (1u << (r))
#define ALL_ROLES ((1u << RK_ROLE_COUNT) - 1)

typedef struct call {
    rk__api_ctx *c;
    const rk__api_req *r;
    rk__api_resp *resp;
    rk__who me;
    const char *id; /* path parameter */
    rk_error *err;
} call;

static void reply(rk__api_resp *resp, int status, json_t *o)
{
    json_decref(resp->json);
    resp->status = status;
    resp->json = o;
}

static rk_status fail(call *k, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static rk_status fail(call *k, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply(k->resp, status, json_pack("{s:s}", "error", msg));
    return RK_OK;
}

static rk_status audit(call *k, const char *who, const char *action, const char *what,
                       const char *why, int64_t *seq)
{
    return rk__audit_append(k->c->store, who, action, what, why ? why : "", seq, k->err);
}

static rk_status sqlfail(call *k, const char *what)
{
    return rk__sql_error(k->c->store, what, k->err);
}

#define STMT(k, sql)                                                                               \
    sqlite3_stmt *q = rk__stmt((k)->c->store, sql, (k)->err);                                      \
    if (!q) return (k)->err ? (k)->err->code : RK_EINTERNAL

static const char *coltext(sqlite3_stmt *q, int i)
{
    const char *t = (const char *)sqlite3_column_text(q, i);
    return t ? t : "";
}

/* ---- body validation ---- */

/* Every key of the body must be in `allowed` (NULL-terminated). */
static int check_fields(call *k, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(k->r->body, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(allowed[i], key);
        if (!ok) {
            char list[300] = "";
            size_t n = 0;
            for (size_t i = 0; allowed[i]; i++)
                n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                                      i ? ", " : "", allowed[i]);
            fail(k, 400, "unknown field '%.60s' (expected %s)", key,
                 allowed[0] ? list : "an empty object");
            return 0;
        }
    }
    return 1;
}

/* A required (or optional when !need) string field, 1..max characters. */
static const char *str_field(call *k, const char *name, int need, size_t max, int *bad)
{
    json_t *v = json_object_get(k->r->body, name);
    if (!v) {
        if (need) {
            fail(k, 400, "missing field '%s'", name);
            *bad = 1;
        }
        return NULL;
    }
    if (!json_is_string(v)) {
        fail(k, 400, "field '%s' must be a string", name);
        *bad = 1;
        return NULL;
    }
    size_t n = json_string_length(v);
    if (n == 0 || n > max || strlen(json_string_value(v)) != n) {
        fail(k, 400, "field '%s' must be 1 to %zu characters", name, max);
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

/* ---- sessions ---- */

static int who_from_row(sqlite3_stmt *q, rk__who *w)
{
    rk__strlcpy(w->username, coltext(q, 0), sizeof w->username);
    if (rk_role_parse(coltext(q, 1), &w->role, NULL) != RK_OK) return 0;
    rk__strlcpy(w->site, coltext(q, 2), sizeof w->site);
    rk__strlcpy(w->pwhash, coltext(q, 3), sizeof w->pwhash);
    return 1;
}

/* 1: valid session; 0: unknown; -1: expired. */
static int session_get(rk__api_ctx *c, const char *token, rk__who *w, rk_error *err)
{
    if (!token || strlen(token) != RK__TOKEN_HEX) return 0;
    unsigned char h[32];
    rk__token_hash(token, h);
    sqlite3_stmt *q = rk__stmt(c->store,
                               "SELECT u.username, u.role, u.site, u.pwhash, s.expires FROM "
                               "sessions s JOIN users u ON u.username = s.username WHERE "
                               "s.token_hash = ?",
                               err);
    if (!q) return 0;
    sqlite3_bind_blob(q, 1, h, 32, SQLITE_STATIC);
    int found = 0;
    if (sqlite3_step(q) == SQLITE_ROW && who_from_row(q, w))
        found = sqlite3_column_int64(q, 4) > rk__unix_now() ? 1 : -1;
    sqlite3_reset(q);
    return found;
}

int rk__api_lookup(rk__api_ctx *c, const char *username, const char *token, rk__who *w,
                   rk_error *err)
{
    memset(w, 0, sizeof *w);
    if (token) return session_get(c, token, w, err) == 1;
    sqlite3_stmt *q = rk__stmt(
        c->store, "SELECT username, role, site, pwhash FROM users WHERE username = ?", err);
    if (!q) return 0;
    sqlite3_bind_text(q, 1, username, -1, SQLITE_STATIC);
    int found = sqlite3_step(q) == SQLITE_ROW && who_from_row(q, w);
    sqlite3_reset(q);
    return found;
}

static int is_locked(call *k, char *at, size_t size)
{
    char *v = rk__meta_get(k->c->store, "locked");
    if (v && at) rk__strlcpy(at, v, size);
    free(v);
    return v != NULL;
}

/* ---- handlers ---- */

static rk_status h_login(call *k)
{
    static const char *const allowed[] = {"username", "password", NULL};
    int bad = 0;
    if (!check_fields(k, allowed)) return RK_OK;
    const char *user = str_field(k, "username", 1, 64, &bad);
    if (!bad) str_field(k, "password", 1, 1024, &bad);
    if (bad) return RK_OK;
    char who[160];
    snprintf(who, sizeof who, "%.64s@%.60s", user, k->r->client);
    if (k->r->pw == RK__PW_LOCKED) {
        rk_status st = audit(k, who, "login_refused", "too many failed logins", "", NULL);
        if (st) return st;
        return fail(k, 429, "too many failed logins for '%.64s': try again in %d seconds", user,
                    k->r->lock_seconds);
    }
    if (k->r->pw != RK__PW_OK) {
        rk_status st = audit(k, who, "login_failed", "wrong user name or password", "", NULL);
        if (st) return st;
        return fail(k, 401, "wrong user name or password");
    }
    rk__who w;
    if (!rk__api_lookup(k->c, user, NULL, &w, k->err))
        return fail(k, 401, "wrong user name or password");
    char token[RK__TOKEN_HEX + 1], now[32];
    rk__token_new(token);
    rk__utc_now(now);
    unsigned char h[32];
    rk__token_hash(token, h);
    int64_t expires = rk__unix_now() + k->c->session_ttl;
    {
        STMT(k, "DELETE FROM sessions WHERE expires <= ?"); /* forget expired sessions */
        sqlite3_bind_int64(q, 1, rk__unix_now());
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) return sqlfail(k, "cleaning up sessions");
    }
    STMT(k, "INSERT INTO sessions(token_hash, username, created, expires) VALUES(?, ?, ?, ?)");
    sqlite3_bind_blob(q, 1, h, 32, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, w.username, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, expires);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return sqlfail(k, "creating a session");
    char what[200];
    snprintf(what, sizeof what, "role=%s site=%s from=%.60s", rk_role_name(w.role), w.site,
             k->r->client);
    rk_status st = audit(k, w.username, "login", what, "", NULL);
    if (st) return st;
    reply(k->resp, 200,
          json_pack("{s:s,s:s,s:s,s:s,s:I,s:b}", "token", token, "username", w.username, "role",
                    rk_role_name(w.role), "site", w.site, "expires_in",
                    (json_int_t)k->c->session_ttl, "blinded", !rk_role_unblinded(w.role)));
    return RK_OK;
}

static rk_status h_logout(call *k)
{
    static const char *const allowed[] = {NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    unsigned char h[32];
    rk__token_hash(k->r->token, h);
    STMT(k, "DELETE FROM sessions WHERE token_hash = ?");
    sqlite3_bind_blob(q, 1, h, 32, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return sqlfail(k, "ending a session");
    rk_status st = audit(k, k->me.username, "logout", "", "", NULL);
    if (st) return st;
    reply(k->resp, 200, json_pack("{s:s}", "status", "logged out"));
    return RK_OK;
}

static rk_status h_me(call *k)
{
    reply(k->resp, 200,
          json_pack("{s:s,s:s,s:s,s:b}", "username", k->me.username, "role",
                    rk_role_name(k->me.role), "site", k->me.site, "blinded",
                    !rk_role_unblinded(k->me.role)));
    return RK_OK;
}

/* Site check for site-bound roles: 1 when allowed. */
static int site_ok(call *k, const char *site)
{
    if (!rk_role_site_bound(k->me.role)) return 1;
    if (!strcmp(site, k->me.site)) return 1;
    return 0;
}

static rk_status deny_site(call *k, const char *site)
{
    char what[200];
    snprintf(what, sizeof what, "%s %s (site %s)", k->r->method, k->r->path, site);
    rk_status st = audit(k, k->me.username, "access_denied", what, "other site", NULL);
    if (st) return st;
    return fail(k, 403, "%s '%s' works at site %s, not %s", rk_role_name(k->me.role),
                k->me.username, k->me.site, site);
}

static rk_status h_enrol(call *k)
{
    static const char *const allowed[] = {"subject_id", "site", "strata", "eligibility", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *id = str_field(k, "subject_id", 1, 64, &bad);
    const char *site = bad ? NULL : str_field(k, "site", 0, 32, &bad);
    if (bad) return RK_OK;
    if (!rk__good_id(id))
        return fail(k, 400, "subject_id must be letters, digits, '_', '-', '.', '@'");
    if (!site) site = k->me.site;
    if (!site_ok(k, site)) return deny_site(k, site);
    if (!rk__site_exists(k->c->store, site))
        return fail(k, 400, "no site '%s' in this trial", site);
    if (is_locked(k, NULL, 0)) return fail(k, 409, "the database is locked: no more enrolment");
    const rk__trial *t = k->c->trial;
    json_t *strata = json_object_get(k->r->body, "strata");
    json_t *elig = json_object_get(k->r->body, "eligibility");
    if (strata && !json_is_object(strata))
        return fail(k, 400, "field 'strata' must be an object, e.g. {\"sex\": \"F\"}");
    if (t->n_criteria && !elig)
        return fail(k, 400, "missing field 'eligibility' (answers to %s ...)", t->criteria[0].id);
    if (elig && !json_is_object(elig))
        return fail(k, 400, "field 'eligibility' must be an object of true/false answers");
    /* strata: every non-site factor, nothing else */
    const char *key;
    json_t *v;
    json_object_foreach(strata, key, v)
    {
        size_t f;
        for (f = 0; f < t->n_factors; f++)
            if ((int)f != t->site_factor && !strcmp(t->factors[f].name, key)) break;
        if (f == t->n_factors)
            return fail(k, 400, "strata: '%.60s' is not a stratification factor of this trial",
                        key);
    }
    char stratum[512] = "";
    size_t n = 0;
    for (size_t f = 0; f < t->n_factors; f++) {
        const char *lv;
        if ((int)f == t->site_factor) {
            lv = site;
        } else {
            json_t *x = json_object_get(strata, t->factors[f].name);
            if (!x)
                return fail(k, 400, "strata: missing stratification factor '%s'",
                            t->factors[f].name);
            if (!json_is_string(x))
                return fail(k, 400, "strata: '%s' must be a string (one of its levels)",
                            t->factors[f].name);
            lv = json_string_value(x);
            size_t l;
            for (l = 0; l < t->factors[f].n_levels && strcmp(t->factors[f].levels[l], lv); l++)
                ;
            if (l == t->factors[f].n_levels)
                return fail(k, 400, "strata: '%.40s' is not a level of %s", lv, t->factors[f].name);
        }
        n += (size_t)snprintf(stratum + n, sizeof stratum - n, "%s%s", f ? "|" : "", lv);
        if (n >= sizeof stratum) return fail(k, 400, "strata: too long");
    }
    json_object_foreach(elig, key, v)
    {
        size_t i;
        for (i = 0; i < t->n_criteria && strcmp(t->criteria[i].id, key); i++)
            ;
        if (i == t->n_criteria)
            return fail(k, 400, "eligibility: '%.60s' is not a criterion of this trial", key);
        if (!json_is_boolean(v))
            return fail(k, 400, "eligibility: '%s' must be true or false", key);
    }
    for (size_t i = 0; i < t->n_criteria; i++) {
        json_t *x = json_object_get(elig, t->criteria[i].id);
        if (!x)
            return fail(k, 400, "eligibility: criterion '%s' is not answered", t->criteria[i].id);
    }
    char *sj = json_dumps(strata ? strata : json_object(), JSON_COMPACT | JSON_SORT_KEYS);
    char *ej = json_dumps(elig ? elig : json_object(), JSON_COMPACT | JSON_SORT_KEYS);
    rk_status st = RK_OK;
    if (!sj || !ej) {
        st = rk_error_set(k->err, RK_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < t->n_criteria; i++) {
        int yes = json_is_true(json_object_get(elig, t->criteria[i].id));
        if (yes == t->criteria[i].exclusion) {
            char what[300];
            snprintf(what, sizeof what, "subject=%s site=%s eligibility=%.200s", id, site, ej);
            st = audit(k, k->me.username, "enrol_refused", what, "not eligible", NULL);
            if (st == RK_OK)
                fail(k, 422, "subject %s is not eligible: %s criterion '%s' answered %s", id,
                     t->criteria[i].exclusion ? "exclusion" : "inclusion", t->criteria[i].id,
                     yes ? "true" : "false");
            goto out;
        }
    }
    {
        sqlite3_stmt *q0 =
            rk__stmt(k->c->store, "SELECT 1 FROM subjects WHERE subject_id = ?", k->err);
        if (!q0) {
            st = k->err ? k->err->code : RK_EINTERNAL;
            goto out;
        }
        sqlite3_bind_text(q0, 1, id, -1, SQLITE_STATIC);
        int exists = sqlite3_step(q0) == SQLITE_ROW;
        sqlite3_reset(q0);
        if (exists) {
            fail(k, 409, "subject %s is already enrolled", id);
            goto out;
        }
        char what[1200], now[32];
        snprintf(what, sizeof what,
                 "subject=%s site=%s stratum=%s strata=%.200s eligibility=%.300s", id, site,
                 stratum, sj, ej);
        int64_t seq;
        if ((st = audit(k, k->me.username, "enrol", what, "", &seq))) goto out;
        rk__utc_now(now);
        sqlite3_stmt *q = rk__stmt(k->c->store,
                                   "INSERT INTO subjects(subject_id, site, stratum, strata, "
                                   "eligibility, enrolled_at, enrolled_by, audit_seq) VALUES(?, "
                                   "?, ?, ?, ?, ?, ?, ?)",
                                   k->err);
        if (!q) {
            st = k->err ? k->err->code : RK_EINTERNAL;
            goto out;
        }
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, site, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, stratum, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, sj, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, ej, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, k->me.username, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, seq);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            st = sqlfail(k, "enrolling a subject");
            goto out;
        }
        reply(k->resp, 201,
              json_pack("{s:s,s:s,s:s,s:s}", "subject_id", id, "site", site, "stratum", stratum,
                        "enrolled_at", now));
    }
out:
    free(sj);
    free(ej);
    return st;
}

/* The subject's row; 0 when not enrolled (404 set). */
typedef struct subject {
    char id[72], site[40], stratum[512], strata[600], elig[1200], enrolled_at[32], enrolled_by[72];
} subject;

static int subject_get(call *k, const char *id, subject *s, rk_status *st)
{
    *st = RK_OK;
    sqlite3_stmt *q = rk__stmt(k->c->store,
                               "SELECT subject_id, site, stratum, strata, eligibility, "
                               "enrolled_at, enrolled_by FROM subjects WHERE subject_id = ?",
                               k->err);
    if (!q) {
        *st = k->err ? k->err->code : RK_EINTERNAL;
        return 0;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int found = sqlite3_step(q) == SQLITE_ROW;
    if (found) {
        rk__strlcpy(s->id, coltext(q, 0), sizeof s->id);
        rk__strlcpy(s->site, coltext(q, 1), sizeof s->site);
        rk__strlcpy(s->stratum, coltext(q, 2), sizeof s->stratum);
        rk__strlcpy(s->strata, coltext(q, 3), sizeof s->strata);
        rk__strlcpy(s->elig, coltext(q, 4), sizeof s->elig);
        rk__strlcpy(s->enrolled_at, coltext(q, 5), sizeof s->enrolled_at);
        rk__strlcpy(s->enrolled_by, coltext(q, 6), sizeof s->enrolled_by);
    }
    sqlite3_reset(q);
    if (!found) fail(k, 404, "subject %.64s is not enrolled", id);
    return found;
}

typedef struct alloc {
    int found;
    char rand_no[72], arm[40], at[32], by[72];
    int64_t seq;
} alloc;

static rk_status alloc_get(call *k, const char *id, alloc *a)
{
    memset(a, 0, sizeof *a);
    STMT(k, "SELECT s.rand_no, s.arm, a.at, a.by, a.seq FROM allocations a JOIN slots s ON "
            "s.stratum = a.stratum AND s.seq = a.seq WHERE a.subject_id = ?");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        a->found = 1;
        rk__strlcpy(a->rand_no, coltext(q, 0), sizeof a->rand_no);
        rk__strlcpy(a->arm, coltext(q, 1), sizeof a->arm);
        rk__strlcpy(a->at, coltext(q, 2), sizeof a->at);
        rk__strlcpy(a->by, coltext(q, 3), sizeof a->by);
        a->seq = sqlite3_column_int64(q, 4);
    }
    sqlite3_reset(q);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? RK_OK : sqlfail(k, "reading an allocation");
}

static rk_status message(call *k, rk_role role, const char *site, const char *text)
{
    char now[32];
    rk__utc_now(now);
    STMT(k, "INSERT INTO messages(role, site, at, text) VALUES(?, ?, ?, ?)");
    sqlite3_bind_text(q, 1, rk_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? RK_OK : sqlfail(k, "writing a message");
}

static rk_status list_slot(call *k, const subject *sp, int64_t *slot, char *rand_no,
                           size_t rand_no_size, char *arm, size_t arm_size);

/* The administrator's alert and the audit record of a randomization that could not be done;
 * answers 409 with `msg`. */
static rk_status refuse(call *k, const char *what, const char *why, const char *alert,
                        const char *msg)
{
    rk_status st = audit(k, k->me.username, "randomize_failed", what, why, NULL);
    if (st) return st;
    if ((st = message(k, RK_ROLE_ADMIN, "*", alert))) return st;
    rk__strlcpy(k->resp->log, alert, sizeof k->resp->log);
    return fail(k, 409, "%s", msg);
}

static rk_status h_randomize(call *k)
{
    static const char *const allowed[] = {NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    subject s;
    rk_status st;
    if (!subject_get(k, k->id, &s, &st)) return st;
    if (!site_ok(k, s.site)) return deny_site(k, s.site);
    if (is_locked(k, NULL, 0)) return fail(k, 409, "the database is locked: no more randomization");
    alloc a;
    if ((st = alloc_get(k, s.id, &a))) return st;
    if (a.found)
        return fail(k, 409, "subject %s is already randomized (randomization number %s, %s)", s.id,
                    a.rand_no, a.at);
    int64_t slot = 0;
    char rand_no[72] = "", arm[40] = "";
    size_t darm = 0, dvarm = 0;
    if (k->c->dyn) {
        /* allocation time: the arm is drawn here, inside this request's transaction */
        if ((st = rk__dyn_draw(k->c->store, k->c->dyn, s.stratum, &darm, &dvarm, k->err)))
            return st;
        rk__strlcpy(arm, k->c->dyn->d->arms[darm].name, sizeof arm);
    } else if ((st = list_slot(k, &s, &slot, rand_no, sizeof rand_no, arm, sizeof arm)) || !slot) {
        return st; /* an error, or the stratum is exhausted (answered) */
    }
    char what[800], kit[80] = "";
    if (k->c->kit) { /* the kit to dispense, before anything is written */
        rk_error e2;
        rk_error_clear(&e2);
        st = k->c->kit(k->c->kit_ctx, s.id, s.site, arm, k->me.username, kit, sizeof kit, &e2);
        if (st == RK_ESTATE || st == RK_EINVAL) {
            snprintf(what, sizeof what, "subject=%s stratum=%s: no kit", s.id, s.stratum);
            char alert[1400], msg[900];
            snprintf(alert, sizeof alert,
                     "ALERT: no kit could be allocated at site %s; subject %s could not be "
                     "randomized by %s: %s",
                     s.site, s.id, k->me.username, e2.msg);
            snprintf(msg, sizeof msg,
                     "subject %s cannot be randomized now: %s; the administrator has been alerted",
                     s.id, e2.msg);
            return refuse(k, what, e2.msg, alert, msg);
        }
        if (st) {
            if (k->err) *k->err = e2;
            return st;
        }
        if (!memchr(kit, '\0', sizeof kit)) /* "": the trial tracks no kits */
            return rk_error_set(k->err, RK_EINTERNAL, "the kit hook gave no kit code");
    }
    if (k->c->dyn && (st = rk__dyn_record(k->c->store, k->c->dyn, s.id, s.stratum, darm, dvarm,
                                          &slot, rand_no, sizeof rand_no, k->err)))
        return st;
    snprintf(what, sizeof what, "subject=%s stratum=%s rand_no=%s slot=%" PRId64 "%s%s", s.id,
             s.stratum, rand_no, slot, kit[0] ? " kit=" : "", kit);
    int64_t seq;
    if ((st = audit(k, k->me.username, "randomize", what, "", &seq))) return st;
    char now[32];
    rk__utc_now(now);
    sqlite3_stmt *ins = rk__stmt(k->c->store,
                                 "INSERT INTO allocations(subject_id, stratum, seq, at, by, "
                                 "audit_seq) VALUES(?, ?, ?, ?, ?, ?)",
                                 k->err);
    if (!ins) return k->err ? k->err->code : RK_EINTERNAL;
    sqlite3_bind_text(ins, 1, s.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, s.stratum, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 3, slot);
    sqlite3_bind_text(ins, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, k->me.username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 6, seq);
    int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE) return sqlfail(k, "recording the allocation");
    /* only investigators randomize, and they are blinded: never the arm (a kit code carries
     * none) */
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "subject_id", s.id, "rand_no", rand_no, "stratum",
                          s.stratum, "randomized_at", now);
    if (kit[0]) json_object_set_new(o, "kit_code", json_string(kit));
    reply(k->resp, 200, o);
    return RK_OK;
}

/* The next slot of the subject's stratum in the uploaded list: *slot 0 when the stratum is
 * exhausted (the response, the audit record and the administrator's alert are done here). */
static rk_status list_slot(call *k, const subject *s, int64_t *slot, char *rand_no,
                           size_t rand_no_size, char *arm, size_t arm_size)
{
    *slot = 0;
    sqlite3_stmt *q = rk__stmt(k->c->store,
                               "SELECT seq, rand_no, arm FROM slots WHERE stratum = ?1 AND seq > "
                               "(SELECT coalesce(max(seq), 0) FROM allocations WHERE stratum = "
                               "?1) ORDER BY seq LIMIT 1",
                               k->err);
    if (!q) return k->err ? k->err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, s->stratum, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    int64_t next = 0;
    if (rc == SQLITE_ROW) {
        next = sqlite3_column_int64(q, 0);
        rk__strlcpy(rand_no, coltext(q, 1), rand_no_size);
        rk__strlcpy(arm, coltext(q, 2), arm_size);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlfail(k, "finding the next slot");
    if (rc == SQLITE_DONE) {
        char what[700], alert[1400], msg[900];
        snprintf(what, sizeof what, "subject=%s stratum=%s: no slots left", s->id, s->stratum);
        snprintf(alert, sizeof alert,
                 "ALERT: stratum %s has no randomization slots left; subject %s (site %s) could "
                 "not be randomized by %s. Upload more slots.",
                 s->stratum, s->id, s->site, k->me.username);
        snprintf(msg, sizeof msg,
                 "stratum %s has no randomization slots left: subject %s cannot be randomized; "
                 "the administrator has been alerted",
                 s->stratum, s->id);
        return refuse(k, what, "stratum exhausted", alert, msg);
    }
    *slot = next;
    return RK_OK;
}

static rk_status unblinding_json(call *k, const char *id, json_t **out)
{
    *out = json_null();
    STMT(k, "SELECT by, at, reason FROM unblindings WHERE subject_id = ?");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = json_pack("{s:s,s:s,s:s}", "by", coltext(q, 0), "at", coltext(q, 1), "reason",
                         coltext(q, 2));
    sqlite3_reset(q);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? RK_OK : sqlfail(k, "reading unblindings");
}

static rk_status subject_json(call *k, const subject *s, json_t **out)
{
    alloc a;
    rk_status st = alloc_get(k, s->id, &a);
    if (st) return st;
    json_t *ub;
    if ((st = unblinding_json(k, s->id, &ub))) return st;
    json_t *o = json_pack("{s:s,s:s,s:s,s:o*,s:o*,s:s,s:s,s:b}", "subject_id", s->id, "site",
                          s->site, "stratum", s->stratum, "strata", json_loads(s->strata, 0, NULL),
                          "eligibility", json_loads(s->elig, 0, NULL), "enrolled_at",
                          s->enrolled_at, "enrolled_by", s->enrolled_by, "randomized", a.found);
    if (a.found) {
        json_object_set_new(o, "rand_no", json_string(a.rand_no));
        json_object_set_new(o, "randomized_at", json_string(a.at));
        json_object_set_new(o, "randomized_by", json_string(a.by));
        if (rk_role_unblinded(k->me.role)) json_object_set_new(o, "arm", json_string(a.arm));
    }
    json_object_set_new(o, "unblinded", ub);
    *out = o;
    return RK_OK;
}

static rk_status h_subject(call *k)
{
    subject s;
    rk_status st;
    if (!subject_get(k, k->id, &s, &st)) return st;
    if (!site_ok(k, s.site)) return deny_site(k, s.site);
    json_t *o;
    if ((st = subject_json(k, &s, &o))) return st;
    reply(k->resp, 200, o);
    return RK_OK;
}

static rk_status h_subjects(call *k)
{
    int site_bound = rk_role_site_bound(k->me.role);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(k->c->store->db,
                           "SELECT subject_id, site, stratum, strata, eligibility, enrolled_at, "
                           "enrolled_by FROM subjects WHERE ?1 = '*' OR site = ?1 ORDER BY "
                           "enrolled_at, subject_id",
                           -1, &q, NULL) != SQLITE_OK)
        return sqlfail(k, "listing subjects");
    sqlite3_bind_text(q, 1, site_bound ? k->me.site : "*", -1, SQLITE_TRANSIENT);
    json_t *arr = json_array();
    rk_status st = RK_OK;
    int rc;
    while (st == RK_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        subject s;
        rk__strlcpy(s.id, coltext(q, 0), sizeof s.id);
        rk__strlcpy(s.site, coltext(q, 1), sizeof s.site);
        rk__strlcpy(s.stratum, coltext(q, 2), sizeof s.stratum);
        rk__strlcpy(s.strata, coltext(q, 3), sizeof s.strata);
        rk__strlcpy(s.elig, coltext(q, 4), sizeof s.elig);
        rk__strlcpy(s.enrolled_at, coltext(q, 5), sizeof s.enrolled_at);
        rk__strlcpy(s.enrolled_by, coltext(q, 6), sizeof s.enrolled_by);
        json_t *o;
        if ((st = subject_json(k, &s, &o)) == RK_OK) json_array_append_new(arr, o);
    }
    sqlite3_finalize(q);
    if (st) {
        json_decref(arr);
        return st;
    }
    reply(k->resp, 200, json_pack("{s:o}", "subjects", arr));
    return RK_OK;
}

static rk_status h_unblind(call *k)
{
    static const char *const allowed[] = {"reason", "password", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *reason = str_field(k, "reason", 1, 500, &bad);
    if (!bad) str_field(k, "password", 1, 1024, &bad);
    if (bad) return RK_OK;
    subject s;
    rk_status st;
    if (!subject_get(k, k->id, &s, &st)) return st;
    if (!site_ok(k, s.site)) return deny_site(k, s.site);
    char what[700];
    snprintf(what, sizeof what, "subject=%s reason=%.300s", s.id, reason);
    if (k->r->pw == RK__PW_LOCKED) {
        if ((st = audit(k, k->me.username, "unblind_failed", what, "locked out", NULL))) return st;
        return fail(k, 429, "too many wrong passwords for '%s': try again in %d seconds",
                    k->me.username, k->r->lock_seconds);
    }
    if (k->r->pw != RK__PW_OK) {
        if ((st = audit(k, k->me.username, "unblind_failed", what, "wrong password", NULL)))
            return st;
        return fail(k, 401, "wrong password: emergency unblinding needs your password again");
    }
    alloc a;
    if ((st = alloc_get(k, s.id, &a))) return st;
    if (!a.found) return fail(k, 409, "subject %s is not randomized: nothing to unblind", s.id);
    json_t *ub;
    if ((st = unblinding_json(k, s.id, &ub))) return st;
    if (!json_is_null(ub)) {
        json_decref(ub);
        return fail(k, 409, "subject %s is already unblinded (see GET /api/subjects/%s)", s.id,
                    s.id);
    }
    snprintf(what, sizeof what, "subject=%s rand_no=%s", s.id, a.rand_no);
    int64_t seq;
    if ((st = audit(k, k->me.username, "unblind", what, reason, &seq))) return st;
    char now[32];
    rk__utc_now(now);
    {
        STMT(k, "INSERT INTO unblindings(subject_id, by, at, reason, audit_seq) VALUES(?, ?, ?, "
                "?, ?)");
        sqlite3_bind_text(q, 1, s.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, k->me.username, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, seq);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) return sqlfail(k, "recording the unblinding");
    }
    char text[800];
    snprintf(text, sizeof text,
             "EMERGENCY UNBLINDING: subject %s (site %s, randomization number %s) unblinded by "
             "%s at %s; reason: %.300s",
             s.id, s.site, a.rand_no, k->me.username, now, reason);
    if ((st = message(k, RK_ROLE_PHARMACIST, s.site, text)) ||
        (st = message(k, RK_ROLE_UNBLINDED_STAT, "*", text)))
        return st;
    rk__strlcpy(k->resp->log, text, sizeof k->resp->log);
    /* the one response that gives a blinded user the arm: the purpose of the request */
    reply(k->resp, 200,
          json_pack("{s:s,s:s,s:s,s:s,s:s}", "subject_id", s.id, "rand_no", a.rand_no, "arm", a.arm,
                    "unblinded_by", k->me.username, "unblinded_at", now));
    return RK_OK;
}

static rk_status h_list(call *k)
{
    const rk__trial *t = k->c->trial;
    int site_bound = rk_role_site_bound(k->me.role);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(k->c->store->db,
                           "SELECT s.rand_no, s.stratum, s.block, s.block_size, s.arm, "
                           "a.subject_id FROM slots s LEFT JOIN allocations a ON a.stratum = "
                           "s.stratum AND a.seq = s.seq ORDER BY s.stratum, s.seq",
                           -1, &q, NULL) != SQLITE_OK)
        return sqlfail(k, "reading the list");
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *stratum = coltext(q, 1);
        if (site_bound) { /* the site level of the stratum */
            const char *p = stratum;
            for (int f = 0; f < t->site_factor && p; f++) {
                p = strchr(p, '|');
                if (p) p++;
            }
            size_t n = p ? strcspn(p, "|") : 0;
            if (!p || strlen(k->me.site) != n || strncmp(p, k->me.site, n)) continue;
        }
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:s}", "rand_no", coltext(q, 0), "stratum", stratum,
                              "block", (json_int_t)sqlite3_column_int64(q, 2), "block_size",
                              (json_int_t)sqlite3_column_int64(q, 3), "arm", coltext(q, 4));
        json_object_set_new(o, "subject_id",
                            sqlite3_column_type(q, 5) == SQLITE_NULL ? json_null()
                                                                     : json_string(coltext(q, 5)));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(q);
    char what[100];
    snprintf(what, sizeof what, "slots=%zu site=%s", json_array_size(arr), k->me.site);
    rk_status st = audit(k, k->me.username, "list_view", what, "", NULL);
    if (st) {
        json_decref(arr);
        return st;
    }
    reply(k->resp, 200, json_pack("{s:o}", "slots", arr));
    return RK_OK;
}

static rk_status h_export(call *k)
{
    char locked[64];
    if (!is_locked(k, locked, sizeof locked))
        return fail(k, 409,
                    "the database is not locked: export for the final analysis needs a locked "
                    "database (POST /api/lock by the administrator)");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(k->c->store->db,
                           "SELECT x.subject_id, x.site, x.stratum, s.rand_no, s.arm, a.at, "
                           "u.subject_id IS NOT NULL FROM subjects x LEFT JOIN allocations a ON "
                           "a.subject_id = x.subject_id LEFT JOIN slots s ON s.stratum = "
                           "a.stratum AND s.seq = a.seq LEFT JOIN unblindings u ON u.subject_id "
                           "= x.subject_id ORDER BY x.subject_id",
                           -1, &q, NULL) != SQLITE_OK)
        return sqlfail(k, "exporting");
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW) {
        int rand = sqlite3_column_type(q, 3) != SQLITE_NULL;
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:b}", "subject_id", coltext(q, 0), "site",
                           coltext(q, 1), "stratum", coltext(q, 2), "rand_no",
                           rand ? json_string(coltext(q, 3)) : json_null(), "arm",
                           rand ? json_string(coltext(q, 4)) : json_null(), "randomized_at",
                           rand ? json_string(coltext(q, 5)) : json_null(), "unblinded",
                           sqlite3_column_int(q, 6)));
    }
    sqlite3_finalize(q);
    char what[100];
    snprintf(what, sizeof what, "subjects=%zu", json_array_size(arr));
    rk_status st = audit(k, k->me.username, "export", what, "final analysis", NULL);
    if (st) {
        json_decref(arr);
        return st;
    }
    reply(k->resp, 200, json_pack("{s:s,s:o}", "locked_at", locked, "subjects", arr));
    return RK_OK;
}

static rk_status h_lock(call *k)
{
    static const char *const allowed[] = {"reason", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *reason = str_field(k, "reason", 1, 500, &bad);
    if (bad) return RK_OK;
    char at[64];
    if (is_locked(k, at, sizeof at)) return fail(k, 409, "the database is already locked (%s)", at);
    char now[32];
    rk__utc_now(now);
    rk_status st = rk__meta_put(k->c->store, "locked", now, k->err);
    if (!st) st = audit(k, k->me.username, "lock", "database lock", reason, NULL);
    if (st) return st;
    reply(k->resp, 200, json_pack("{s:s}", "locked_at", now));
    return RK_OK;
}

static rk_status h_messages(call *k)
{
    STMT(k, "SELECT id, at, text FROM messages WHERE role = ? AND (site = '*' OR site = ?) "
            "ORDER BY id");
    sqlite3_bind_text(q, 1, rk_role_name(k->me.role), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, k->me.site, -1, SQLITE_STATIC);
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s}", "id",
                                             (json_int_t)sqlite3_column_int64(q, 0), "at",
                                             coltext(q, 1), "text", coltext(q, 2)));
    sqlite3_reset(q);
    reply(k->resp, 200, json_pack("{s:o}", "messages", arr));
    return RK_OK;
}

static rk_status h_audit(call *k)
{
    int64_t after = 0;
    if (k->r->query_after) {
        char *end;
        long long v = strtoll(k->r->query_after, &end, 10);
        if (!*k->r->query_after || *end || v < 0)
            return fail(k, 400, "?after= must be a record number (0 or more)");
        after = v;
    }
    STMT(k, "SELECT seq, at, who, action, what, why, hex(hash) FROM audit WHERE seq > ? ORDER "
            "BY seq LIMIT 1000");
    sqlite3_bind_int64(q, 1, after);
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
                                             (json_int_t)sqlite3_column_int64(q, 0), "at",
                                             coltext(q, 1), "who", coltext(q, 2), "action",
                                             coltext(q, 3), "what", coltext(q, 4), "why",
                                             coltext(q, 5), "hash", coltext(q, 6)));
    sqlite3_reset(q);
    reply(k->resp, 200, json_pack("{s:o}", "records", arr));
    return RK_OK;
}

static rk_status h_user_add(call *k)
{
    static const char *const allowed[] = {"username", "role", "site", "password", "reason", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *user = str_field(k, "username", 1, 64, &bad);
    const char *role = bad ? NULL : str_field(k, "role", 1, 64, &bad);
    const char *site = bad ? NULL : str_field(k, "site", 1, 32, &bad);
    if (!bad) str_field(k, "password", 1, 1024, &bad);
    const char *reason = bad ? NULL : str_field(k, "reason", 0, 500, &bad);
    if (bad) return RK_OK;
    rk_role r;
    rk_error e2;
    if (rk_role_parse(role, &r, &e2)) return fail(k, 400, "%s", e2.msg);
    if (!k->r->new_pwhash)
        return fail(k, 400, "passwords need at least 8 characters (and at most 1024)");
    rk__who w;
    if (rk__api_lookup(k->c, user, NULL, &w, k->err))
        return fail(k, 409, "user '%.64s' already exists", user);
    rk_status st = rk__user_add(k->c->store, user, r, site, k->r->new_pwhash, k->me.username,
                                reason ? reason : "", &e2);
    if (st == RK_EINVAL) return fail(k, 400, "%s", e2.msg);
    if (st) {
        if (k->err) *k->err = e2;
        return st;
    }
    reply(k->resp, 201, json_pack("{s:s,s:s,s:s}", "username", user, "role", role, "site", site));
    return RK_OK;
}

static rk_status h_role_change(call *k)
{
    static const char *const allowed[] = {"role", "site", "reason", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *role = str_field(k, "role", 1, 64, &bad);
    const char *site = bad ? NULL : str_field(k, "site", 1, 32, &bad);
    const char *reason = bad ? NULL : str_field(k, "reason", 1, 500, &bad);
    if (bad) return RK_OK;
    rk_role r;
    rk_error e2;
    if (rk_role_parse(role, &r, &e2)) return fail(k, 400, "%s", e2.msg);
    rk__who w;
    if (!rk__api_lookup(k->c, k->id, NULL, &w, k->err))
        return fail(k, 404, "no user '%.64s'", k->id);
    if (rk_role_site_bound(r) ? !rk__site_exists(k->c->store, site) : strcmp(site, "*") != 0)
        return fail(k, 400,
                    rk_role_site_bound(r) ? "a %s works at one site: '%.40s' is not a site of "
                                            "this trial"
                                          : "a %s is not tied to a site: give site '*', not "
                                            "'%.40s'",
                    rk_role_name(r), site);
    if (!strcmp(w.username, k->me.username) && r != RK_ROLE_ADMIN)
        return fail(k, 409, "administrators cannot change their own role");
    {
        STMT(k, "UPDATE users SET role = ?, site = ? WHERE username = ?");
        sqlite3_bind_text(q, 1, rk_role_name(r), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, site, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, w.username, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) return sqlfail(k, "changing a role");
    }
    {
        STMT(k, "DELETE FROM sessions WHERE username = ?");
        sqlite3_bind_text(q, 1, w.username, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) return sqlfail(k, "ending sessions");
    }
    char what[300];
    snprintf(what, sizeof what, "user=%s role=%s->%s site=%s->%s", w.username, rk_role_name(w.role),
             rk_role_name(r), w.site, site);
    rk_status st = audit(k, k->me.username, "role_change", what, reason, NULL);
    if (st) return st;
    reply(
        k->resp, 200,
        json_pack("{s:s,s:s,s:s}", "username", w.username, "role", rk_role_name(r), "site", site));
    return RK_OK;
}

static rk_status h_supply(call *k) /* src/server/supply_api.c */
{
    return rk__supply_handle(k->c, k->r, &k->me, k->resp, k->err);
}

/* ---- routing ---- */

typedef struct route {
    const char *method;
    const char *pattern; /* '*' matches one path segment (the id) */
    unsigned roles;      /* 0: no session needed (login) */
    rk_status (*fn)(call *k);
} route;

static const route routes[] = {
    {"POST", "/api/login", 0, h_login},
    {"POST", "/api/logout", ALL_ROLES, h_logout},
    {"GET", "/api/me", ALL_ROLES, h_me},
    {"POST", "/api/subjects", ROLE(RK_ROLE_INVESTIGATOR), h_enrol},
    {"GET", "/api/subjects", ALL_ROLES, h_subjects},
    {"GET", "/api/subjects/*", ALL_ROLES, h_subject},
    {"POST", "/api/subjects/*/randomize", ROLE(RK_ROLE_INVESTIGATOR), h_randomize},
    {"POST", "/api/subjects/*/unblind", ROLE(RK_ROLE_INVESTIGATOR), h_unblind},
    {"GET", "/api/list", ROLE(RK_ROLE_PHARMACIST) | ROLE(RK_ROLE_UNBLINDED_STAT), h_list},
    {"GET", "/api/export", ROLE(RK_ROLE_UNBLINDED_STAT), h_export},
    {"POST", "/api/lock", ROLE(RK_ROLE_ADMIN), h_lock},
    {"GET", "/api/messages", ALL_ROLES, h_messages},
    {"GET", "/api/audit", ROLE(RK_ROLE_MONITOR) | ROLE(RK_ROLE_ADMIN), h_audit},
    {"POST", "/api/users", ROLE(RK_ROLE_ADMIN), h_user_add},
    {"POST", "/api/users/*/role", ROLE(RK_ROLE_ADMIN), h_role_change},
    {"GET", "/api/supply/kits", ALL_ROLES, h_supply},
    {"GET", "/api/supply/kits/*", ALL_ROLES, h_supply},
    {"POST", "/api/supply/kits/*/scan",
     ROLE(RK_ROLE_INVESTIGATOR) | ROLE(RK_ROLE_PHARMACIST) | ROLE(RK_ROLE_ADMIN), h_supply},
    {"POST", "/api/supply/kits/*/release", ROLE(RK_ROLE_PHARMACIST) | ROLE(RK_ROLE_UNBLINDED_STAT),
     h_supply},
    {"POST", "/api/supply/shipments", ROLE(RK_ROLE_ADMIN), h_supply},
    {"POST", "/api/supply/shipments/*/logger",
     ROLE(RK_ROLE_INVESTIGATOR) | ROLE(RK_ROLE_PHARMACIST) | ROLE(RK_ROLE_ADMIN), h_supply},
    {"POST", "/api/supply/subjects/*/allocate",
     ROLE(RK_ROLE_INVESTIGATOR) | ROLE(RK_ROLE_PHARMACIST), h_supply},
    {"GET", "/api/supply/inventory", ALL_ROLES, h_supply},
    {"GET", "/api/supply/sites/*/reconcile", ALL_ROLES, h_supply},
    {"GET", "/api/supply/sites/*/resupply",
     ROLE(RK_ROLE_ADMIN) | ROLE(RK_ROLE_PHARMACIST) | ROLE(RK_ROLE_UNBLINDED_STAT), h_supply},
    {"POST", "/api/supply/expire", ROLE(RK_ROLE_ADMIN), h_supply},
    {"GET", "/api/supply/schedule", ALL_ROLES, h_supply},
    {"GET", "/api/supply/subjects/*/schedule", ALL_ROLES, h_supply},
    {"POST", "/api/supply/subjects/*/infusions",
     ROLE(RK_ROLE_INVESTIGATOR) | ROLE(RK_ROLE_PHARMACIST), h_supply},
    {"POST", "/api/supply/subjects/*/visits", ROLE(RK_ROLE_INVESTIGATOR), h_supply},
};

int rk__api_match(const char *pattern, const char *path, char *id, size_t size)
{
    while (*pattern && *path) {
        if (*pattern == '*') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= size) return 0;
            memcpy(id, path, n);
            id[n] = '\0';
            path += n;
            pattern++;
        } else if (*pattern++ != *path++) {
            return 0;
        }
    }
    return !*pattern && !*path;
}

static void role_list(unsigned roles, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int r = 0; r < RK_ROLE_COUNT; r++)
        if (roles & ROLE(r))
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? ", " : "",
                                  rk_role_name((rk_role)r));
}

rk_status rk__api_handle(rk__api_ctx *c, const rk__api_req *r, rk__api_resp *resp, rk_error *err)
{
    resp->status = 500;
    resp->json = NULL;
    resp->log[0] = '\0';
    call k = {.c = c, .r = r, .resp = resp, .err = err};
    char id[80] = "";
    const route *hit = NULL;
    int path_known = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !hit; i++)
        if (rk__api_match(routes[i].pattern, r->path, id, sizeof id)) {
            path_known = 1;
            if (!strcmp(routes[i].method, r->method)) hit = &routes[i];
        }
    if (!hit)
        return path_known ? fail(&k, 405, "%s is not allowed on %.100s", r->method, r->path)
                          : fail(&k, 404, "no endpoint %s %.100s", r->method, r->path);
    k.id = id;
    if (hit->roles) {
        int s = r->token ? session_get(c, r->token, &k.me, err) : 0;
        if (s == 0)
            return fail(&k, 401,
                        "log in first: send 'Authorization: Bearer TOKEN' with a token from "
                        "POST /api/login");
        if (s < 0) return fail(&k, 401, "your session has expired: log in again (POST /api/login)");
        if (!(hit->roles & ROLE(k.me.role))) {
            char what[200], roles[200];
            snprintf(what, sizeof what, "%s %.120s", r->method, r->path);
            rk_status st =
                audit(&k, k.me.username, "access_denied", what, rk_role_name(k.me.role), NULL);
            if (st) return st;
            role_list(hit->roles, roles, sizeof roles);
            return fail(&k, 403, "%s %s is for: %s (you are %s)", r->method, hit->pattern, roles,
                        rk_role_name(k.me.role));
        }
    }
    return hit->fn(&k);
}
