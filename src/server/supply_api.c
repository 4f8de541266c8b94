/* The supply endpoints: kit scans (every transition of the library's state machine, with the
 * library's refusals), release from quarantine, shipments, logger files with automatic
 * quarantine, allocation of a subject's next kit, inventory, reconciliation and kit views.
 *
 * Blinding: a response shows a kit's arm and manufacturing batch only to an unblinded role;
 * every other field (and every refusal, from the library) is blinded.  Site-bound roles see
 * and scan only the kits of their own site.  Who, where and when of a transition come from the
 * session and the server's clock, not from the request. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/supply_api.h"
#include "store/supply_store.h"

typedef struct sk {
    rk__api_ctx *c;
    const rk__api_req *r;
    const rk__who *me;
    rk__api_resp *resp;
    rk_error *err;
    char id[80]; /* path parameter */
    rk_supply *sup;
    rk_time now;
    rk_date today;
} sk;

static void reply(sk *k, int status, json_t *o)
{
    json_decref(k->resp->json);
    k->resp->status = status;
    k->resp->json = o;
}

static rk_status fail(sk *k, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static rk_status fail(sk *k, int status, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply(k, status, json_pack("{s:s}", "error", msg));
    return RK_OK;
}

static rk_status audit(sk *k, const char *action, const char *what, const char *why)
{
    return rk__audit_append(k->c->store, k->me->username, action, what, why ? why : "", NULL,
                            k->err);
}

/* A library refusal: audited (blinded message), answered 400/409.  Other statuses (database
 * errors) are returned so the request is rolled back. */
static rk_status refused(sk *k, const char *kit, rk_status st, const rk_error *e)
{
    if (st != RK_EINVAL && st != RK_ESTATE) {
        if (k->err) *k->err = *e;
        return st;
    }
    char what[700];
    snprintf(what, sizeof what, "kit=%.20s %.600s", kit ? kit : "", e->msg);
    rk_status a = audit(k, "kit_refused", what, "");
    if (a) return a;
    return fail(k, st == RK_EINVAL ? 400 : 409, "%s", e->msg);
}

static int check_fields(sk *k, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(k->r->body, key, v)
    {
        size_t i;
        for (i = 0; allowed[i] && strcmp(allowed[i], key); i++)
            ;
        if (!allowed[i]) {
            char list[300] = "";
            size_t n = 0;
            for (i = 0; allowed[i]; i++)
                n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                                      i ? ", " : "", allowed[i]);
            fail(k, 400, "unknown field '%.60s' (expected %s)", key,
                 allowed[0] ? list : "an empty object");
            return 0;
        }
    }
    return 1;
}

static const char *str_field(sk *k, const char *name, int need, size_t max, int *bad)
{
    if (*bad) return NULL;
    json_t *v = json_object_get(k->r->body, name);
    if (!v) {
        if (need) {
            fail(k, 400, "missing field '%s'", name);
            *bad = 1;
        }
        return NULL;
    }
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    if (!json_is_string(v) || n == 0 || n > max || strlen(json_string_value(v)) != n) {
        fail(k, 400, "field '%s' must be a string of 1 to %zu characters", name, max);
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

static int site_ok(sk *k, const char *site)
{
    return !rk_role_site_bound(k->me->role) || !strcmp(site, k->me->site);
}

static rk_status deny_site(sk *k, const char *site)
{
    char what[300];
    snprintf(what, sizeof what, "%s %.120s (site %s)", k->r->method, k->r->path,
             site[0] ? site : "depot");
    rk_status st = audit(k, "access_denied", what, "other site");
    if (st) return st;
    return fail(k, 403, "%s '%s' works at site %s, not %s", rk_role_name(k->me->role),
                k->me->username, k->me->site, site[0] ? site : "the depot");
}

static json_t *kit_json(sk *k, const rk_kit *kit)
{
    char exp[16];
    rk_date_format(kit->expiry, exp, sizeof exp);
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "number", (json_int_t)kit->number, "code",
                  kit->code, "lot", kit->lot, "expiry", exp, "state", rk_kit_state_name(kit->state),
                  "site", kit->site, "shipment", kit->shipment, "subject", kit->subject);
    if (kit->state == RK_KIT_QUARANTINED) {
        json_object_set_new(o, "held_from", json_string(rk_kit_state_name(kit->held_from)));
        json_object_set_new(o, "note", json_string(kit->note));
    }
    if (rk_role_unblinded(k->me->role)) { /* the kit -> arm link: unblinded roles only */
        const rk_kitlist *l = rk_supply_kits(k->sup);
        json_object_set_new(o, "arm", json_string(kit->arm >= 0 ? l->arm[kit->arm] : "unknown"));
        json_object_set_new(o, "batch", json_string(kit->batch));
    }
    return o;
}

/* The kit of the path, or NULL (answered: 400 bad code, 404 unknown, 403 other site). */
static const rk_kit *path_kit(sk *k, rk_status *st)
{
    *st = RK_OK;
    long i = rk_supply_find(k->sup, k->id);
    if (i < 0) {
        if (!rk_kitcode_valid(k->id))
            fail(k, 400,
                 "'%.40s' is not a valid kit code (length or check symbol wrong): scan the label "
                 "again or retype the code",
                 k->id);
        else
            fail(k, 404,
                 "kit %s is not in this trial's kit list: do not use it; set it aside "
                 "and call the depot",
                 k->id);
        return NULL;
    }
    const rk_kit *kit = &rk_supply_kits(k->sup)->kit[i];
    if (!site_ok(k, kit->site)) {
        *st = deny_site(k, kit->site);
        return NULL;
    }
    return kit;
}

/* ---- handlers ---- */

static rk_status h_kits(sk *k)
{
    const rk_kitlist *l = rk_supply_kits(k->sup);
    json_t *arr = json_array();
    for (size_t i = 0; i < l->n; i++)
        if (!rk_role_site_bound(k->me->role) || !strcmp(l->kit[i].site, k->me->site))
            json_array_append_new(arr, kit_json(k, &l->kit[i]));
    reply(k, 200, json_pack("{s:o}", "kits", arr));
    return RK_OK;
}

static rk_status h_kit(sk *k)
{
    rk_status st;
    const rk_kit *kit = path_kit(k, &st);
    if (kit) reply(k, 200, kit_json(k, kit));
    return st;
}

static double num_field(sk *k, json_t *o, const char *name, int *bad)
{
    json_t *v = json_object_get(o, name);
    if (!v || json_is_null(v)) return NAN;
    if (!json_is_number(v)) {
        fail(k, 400, "infusion: '%s' must be a number or null (not measured)", name);
        *bad = 1;
    }
    return json_number_value(v);
}

static int parse_infusion(sk *k, json_t *o, rk_infusion *in)
{
    rk_infusion_init(in);
    if (!json_is_object(o)) {
        fail(k, 400,
             "field 'infusion' must be an object: {\"start\": TIME, \"end\": TIME, \"temp_c\", "
             "\"pulse\", \"resp_rate\", \"sbp\", \"dbp\", \"spo2\", \"reactions\"}");
        return 0;
    }
    static const char *const keys[] = {"start", "end", "temp_c", "pulse",    "resp_rate",
                                       "sbp",   "dbp", "spo2",   "reactions"};
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        size_t i;
        for (i = 0; i < 9 && strcmp(keys[i], key); i++)
            ;
        if (i == 9) {
            fail(k, 400, "infusion: unknown field '%.40s'", key);
            return 0;
        }
    }
    const char *t[2] = {json_string_value(json_object_get(o, "start")),
                        json_string_value(json_object_get(o, "end"))};
    rk_time *dst[2] = {&in->start, &in->end};
    for (int i = 0; i < 2; i++) {
        rk_error e;
        if (!t[i]) {
            fail(k, 400, "infusion: '%s' (UTC time, e.g. 2026-03-01T09:00:00Z) is required",
                 keys[i]);
            return 0;
        }
        if (rk_time_parse(t[i], dst[i], &e)) {
            fail(k, 400, "infusion: '%s': %s", keys[i], e.msg);
            return 0;
        }
    }
    int bad = 0;
    in->temp_c = num_field(k, o, "temp_c", &bad);
    if (!bad) in->pulse = num_field(k, o, "pulse", &bad);
    if (!bad) in->resp_rate = num_field(k, o, "resp_rate", &bad);
    if (!bad) in->sbp = num_field(k, o, "sbp", &bad);
    if (!bad) in->dbp = num_field(k, o, "dbp", &bad);
    if (!bad) in->spo2 = num_field(k, o, "spo2", &bad);
    if (bad) return 0;
    json_t *r = json_object_get(o, "reactions");
    if (r && !json_is_string(r)) {
        fail(k, 400, "infusion: 'reactions' must be a string (\"none\" if none)");
        return 0;
    }
    if (r) snprintf(in->reactions, sizeof in->reactions, "%s", json_string_value(r));
    return 1;
}

static const char *default_where(sk *k)
{
    return rk_role_site_bound(k->me->role) ? k->me->site : "central";
}

static rk_status infusion_visit(sk *k, const char *subject, const char *code,
                                const rk_infusion *inf);

static rk_status h_scan(sk *k)
{
    static const char *const allowed[] = {"to",      "why",      "where",    "site",
                                          "subject", "shipment", "infusion", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *to_s = str_field(k, "to", 1, 32, &bad);
    const char *why = str_field(k, "why", 0, 90, &bad);
    const char *where = str_field(k, "where", 0, 64, &bad);
    const char *site = str_field(k, "site", 0, 31, &bad);
    const char *subject = str_field(k, "subject", 0, 31, &bad);
    const char *shipment = str_field(k, "shipment", 0, 31, &bad);
    if (bad) return RK_OK;
    rk_kit_state to;
    rk_error e = {0};
    if (rk_kit_state_parse(to_s, &to, &e)) return fail(k, 400, "%s", e.msg);
    rk_status st;
    const rk_kit *kit = path_kit(k, &st);
    if (!kit) return st;
    rk_role role = k->me->role;
    if ((to == RK_KIT_PACKAGED || to == RK_KIT_SHIPPED) && role != RK_ROLE_ADMIN)
        return fail(k, 403, "kit %s: packing and shipping are done at the depot (administrator)",
                    kit->code);
    if ((to == RK_KIT_DISPENSED || to == RK_KIT_ADMINISTERED) && !rk_role_site_bound(role))
        return fail(k, 403,
                    "kit %s: dispensing and administering are done at the site "
                    "(investigator or pharmacist)",
                    kit->code);
    if (to == RK_KIT_SHIPPED && site && !rk__site_exists(k->c->store, site))
        return fail(k, 400, "no site '%s' in this trial", site);
    if (to == RK_KIT_RECEIVED && !site) site = rk_role_site_bound(role) ? k->me->site : NULL;
    if (to == RK_KIT_RECEIVED && site && !site_ok(k, site)) return deny_site(k, site);
    rk_infusion inf;
    json_t *jin = json_object_get(k->r->body, "infusion");
    if (jin && to != RK_KIT_ADMINISTERED)
        return fail(k, 400, "field 'infusion' goes with \"to\": \"administered\" only");
    if (to == RK_KIT_ADMINISTERED) {
        if (!jin)
            return fail(k, 400, "kit %s: record the infusion: field 'infusion' with start and end",
                        kit->code);
        if (!parse_infusion(k, jin, &inf)) return RK_OK;
    }
    rk_scan sc = {.kit = kit->code,
                  .to = to,
                  .who = k->me->username,
                  .where = where ? where : default_where(k),
                  .why = why,
                  .role = role,
                  .when = k->now,
                  .site = site,
                  .shipment = shipment,
                  .subject = subject,
                  .infusion = to == RK_KIT_ADMINISTERED ? &inf : NULL};
    char code[RK_KITCODE_SIZE];
    memcpy(code, kit->code, sizeof code);
    rk_kit_state from = kit->state;
    st = rk_supply_scan(k->sup, &sc, &e);
    if (st) return refused(k, code, st, &e);
    if (to == RK_KIT_ADMINISTERED && (st = infusion_visit(k, kit->subject, code, &inf))) return st;
    json_t *o = kit_json(k, kit);
    json_object_set_new(o, "from", json_string(rk_kit_state_name(from)));
    json_object_set_new(o, "seq", json_integer((json_int_t)rk_supply_seq(k->sup)));
    reply(k, 200, o);
    return RK_OK;
}

static rk_status h_release(sk *k)
{
    static const char *const allowed[] = {"why", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *why = str_field(k, "why", 1, 90, &bad);
    if (bad) return RK_OK;
    rk_status st;
    const rk_kit *kit = path_kit(k, &st);
    if (!kit) return st;
    char code[RK_KITCODE_SIZE];
    memcpy(code, kit->code, sizeof code);
    rk_error e = {0};
    st = rk_supply_release(k->sup, code, k->me->username, k->me->role, why, k->now, &e);
    if (st) return refused(k, code, st, &e);
    json_t *o = kit_json(k, kit);
    json_object_set_new(o, "from", json_string("quarantined"));
    json_object_set_new(o, "seq", json_integer((json_int_t)rk_supply_seq(k->sup)));
    reply(k, 200, o);
    return RK_OK;
}

/* Ship kits (packing those still prepared) as one shipment: all or nothing. */
static rk_status h_ship(sk *k)
{
    static const char *const allowed[] = {"shipment", "site", "kits", "where", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *ship = str_field(k, "shipment", 1, 31, &bad);
    const char *site = str_field(k, "site", 1, 31, &bad);
    const char *where = str_field(k, "where", 0, 64, &bad);
    if (bad) return RK_OK;
    json_t *kits = json_object_get(k->r->body, "kits");
    if (!json_is_array(kits) || !json_array_size(kits))
        return fail(k, 400, "field 'kits' must be a non-empty array of kit codes");
    if (!rk__site_exists(k->c->store, site))
        return fail(k, 400, "no site '%s' in this trial", site);
    const rk_kitlist *l = rk_supply_kits(k->sup);
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->kit[i].shipment, ship))
            return fail(k, 409, "shipment %s already exists: give a new shipment id", ship);
    size_t idx;
    json_t *v;
    json_array_foreach(kits, idx, v)
    {
        const char *code = json_string_value(v);
        if (!code) return fail(k, 400, "kits[%zu] must be a kit code (a string)", idx);
        rk_error e = {0};
        long ki = rk_supply_find(k->sup, code);
        rk_status st = RK_OK;
        rk_scan sc = {.kit = code,
                      .who = k->me->username,
                      .where = where ? where : "depot",
                      .role = k->me->role,
                      .when = k->now,
                      .site = site,
                      .shipment = ship};
        if (ki >= 0 && l->kit[ki].state == RK_KIT_PREPARED) {
            sc.to = RK_KIT_PACKAGED;
            st = rk_supply_scan(k->sup, &sc, &e);
        }
        if (!st) {
            sc.to = RK_KIT_SHIPPED;
            st = rk_supply_scan(k->sup, &sc, &e);
        }
        if (st) { /* roll the whole shipment back */
            if (st == RK_EINVAL || st == RK_ESTATE)
                return rk_error_set(k->err, RK_ESTATE, "shipment %s not shipped: kits[%zu]: %s",
                                    ship, idx, e.msg);
            if (k->err) *k->err = e;
            return st;
        }
    }
    reply(k, 201,
          json_pack("{s:s,s:s,s:I}", "shipment", ship, "site", site, "kits",
                    (json_int_t)json_array_size(kits)));
    return RK_OK;
}

static json_t *report_json(const rk_logger_report *rep)
{
    char a[24], b[24];
    rk_time_format(rep->first, a, sizeof a);
    rk_time_format(rep->last, b, sizeof b);
    json_t *ex = json_array(), *is = json_array();
    for (size_t i = 0; i < rep->n_excursions; i++) {
        const rk_excursion *x = &rep->excursions[i];
        char s[24], e[24];
        rk_time_format(x->start, s, sizeof s);
        rk_time_format(x->end, e, sizeof e);
        json_array_append_new(
            ex, json_pack("{s:s,s:s,s:I,s:f,s:s,s:I}", "start", s, "end", e, "minutes",
                          (json_int_t)((x->end - x->start) / 60), "extreme_c", x->extreme_c, "kind",
                          x->hot ? "hot" : "cold", "line", (json_int_t)x->line_start));
    }
    for (size_t i = 0; i < rep->n_issues_kept; i++)
        json_array_append_new(is, json_pack("{s:I,s:s}", "line", (json_int_t)rep->issues[i].line,
                                            "problem", rep->issues[i].msg));
    json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o}", "readings", (json_int_t)rep->n_readings,
                          "excursions", ex, "issues", is, "release_ok",
                          json_boolean(rep->release_ok), "verdict", json_string(rep->verdict));
    if (rep->n_readings) {
        json_object_set_new(o, "first", json_string(a));
        json_object_set_new(o, "last", json_string(b));
        json_object_set_new(o, "min_c", json_real(rep->min_c));
        json_object_set_new(o, "max_c", json_real(rep->max_c));
    }
    json_object_set_new(o, "n_issues", json_integer((json_int_t)rep->n_issues));
    return o;
}

static rk_status h_logger(sk *k)
{
    static const char *const allowed[] = {"csv",        "min_c",         "max_c",
                                          "interval_s", "max_transit_h", NULL};
    /* the shipment's destination */
    const rk_kitlist *l = rk_supply_kits(k->sup);
    const char *site = NULL;
    for (size_t i = 0; i < l->n && !site; i++)
        if (!strcmp(l->kit[i].shipment, k->id)) site = l->kit[i].site;
    if (!site) return fail(k, 404, "no shipment '%.40s' in this trial", k->id);
    if (!site_ok(k, site)) return deny_site(k, site);
    char dest[RK_SUPPLY_ID];
    snprintf(dest, sizeof dest, "%s", site);
    if (!check_fields(k, allowed)) return RK_OK;
    json_t *csv = json_object_get(k->r->body, "csv");
    if (!json_is_string(csv))
        return fail(k, 400, "field 'csv' must be the logger file's text (columns time,temp_c)");
    rk_logger_config cfg;
    rk_logger_config_init(&cfg);
    static const char *const nums[] = {"min_c", "max_c", "interval_s", "max_transit_h"};
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(k->r->body, nums[i]);
        if (!v) continue;
        if (!json_is_number(v)) return fail(k, 400, "field '%s' must be a number", nums[i]);
        double x = json_number_value(v);
        if (i == 0) cfg.min_c = x;
        if (i == 1) cfg.max_c = x;
        if (i == 2) {
            if (!(x >= 1 && x <= 86400))
                return fail(k, 400, "field 'interval_s' must be 1 to 86400 seconds");
            cfg.interval = (rk_time)x;
        }
        if (i == 3) {
            if (!(x > 0 && x < 1000))
                return fail(k, 400, "field 'max_transit_h' must be in (0, 1000) hours");
            cfg.max_transit = (rk_time)(x * 3600);
        }
    }
    if (!(cfg.min_c < cfg.max_c)) return fail(k, 400, "'min_c' must be below 'max_c'");
    rk_logger_report rep;
    rk_error e = {0};
    char name[120];
    snprintf(name, sizeof name, "shipment %.80s logger", k->id);
    rk_status st =
        rk_logger_parse(json_string_value(csv), json_string_length(csv), name, &cfg, &rep, &e);
    int readable = st == RK_OK;
    if (!readable) {
        if (st != RK_EINVAL && st != RK_EPARSE) {
            if (k->err) *k->err = e;
            return st;
        }
        memset(&rep, 0, sizeof rep);
        snprintf(rep.verdict, sizeof rep.verdict, "logger file unreadable: %.200s", e.msg);
    }
    size_t nq = 0;
    if (!rep.release_ok) {
        char why[96];
        snprintf(why, sizeof why, "cold chain: %.80s", rep.verdict);
        st = rk_supply_quarantine_shipment(k->sup, k->id, k->me->username, why, k->now, &nq, &e);
        if (st) {
            rk_logger_report_free(&rep);
            if (k->err) *k->err = e;
            return st == RK_EINVAL || st == RK_ESTATE ? RK_EINTERNAL : st;
        }
    }
    char what[500];
    snprintf(what, sizeof what,
             "shipment=%s site=%s readings=%zu excursions=%zu issues=%zu "
             "release_ok=%s quarantined=%zu",
             k->id, dest, rep.n_readings, rep.n_excursions, rep.n_issues,
             rep.release_ok ? "yes" : "no", nq);
    st = audit(k, "kit_logger", what, rep.verdict);
    if (st) {
        rk_logger_report_free(&rep);
        return st;
    }
    json_t *o = report_json(&rep);
    rk_logger_report_free(&rep);
    json_object_set_new(o, "shipment", json_string(k->id));
    json_object_set_new(o, "site", json_string(dest));
    json_object_set_new(o, "quarantined", json_integer((json_int_t)nq));
    reply(k, 200, o);
    return RK_OK;
}

static int subject_site(sk *k, const char *id, char *site, size_t size)
{
    sqlite3_stmt *q =
        rk__stmt(k->c->store, "SELECT site FROM subjects WHERE subject_id = ?", k->err);
    if (!q) return -1;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int found = sqlite3_step(q) == SQLITE_ROW;
    if (found) rk__strlcpy(site, (const char *)sqlite3_column_text(q, 0), size);
    sqlite3_reset(q);
    return found;
}

static rk_status h_allocate(sk *k)
{
    static const char *const allowed[] = {NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    char site[64];
    int f = subject_site(k, k->id, site, sizeof site);
    if (f < 0) return k->err ? k->err->code : RK_EINTERNAL;
    if (!f) return fail(k, 404, "subject %.64s is not enrolled", k->id);
    if (!site_ok(k, site)) return deny_site(k, site);
    char code[RK_KITCODE_SIZE];
    rk_error e = {0};
    rk_status st = rk_supply_allocate(k->sup, k->id, k->today, k->me->username, k->now, code, &e);
    if (st) return refused(k, NULL, st, &e);
    reply(k, 200, json_pack("{s:s,s:s}", "subject_id", k->id, "kit_code", code));
    return RK_OK;
}

static rk_status h_inventory(sk *k)
{
    rk_site_inventory *inv = NULL;
    size_t n = 0;
    rk_error e = {0};
    rk_status st = rk_supply_inventory(k->sup, k->today, &inv, &n, &e);
    if (st) {
        if (k->err) *k->err = e;
        return st;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (rk_role_site_bound(k->me->role) && strcmp(inv[i].site, k->me->site)) continue;
        json_t *c = json_object();
        for (int s = 0; s < RK_KIT_NSTATES; s++)
            json_object_set_new(c, rk_kit_state_name((rk_kit_state)s),
                                json_integer((json_int_t)inv[i].count[s]));
        json_array_append_new(arr, json_pack("{s:s,s:o,s:I,s:I}", "site",
                                             inv[i].site[0] ? inv[i].site : "depot", "count", c,
                                             "usable", (json_int_t)inv[i].usable, "allocated",
                                             (json_int_t)inv[i].allocated));
    }
    free(inv);
    char day[16];
    rk_date_format(k->today, day, sizeof day);
    reply(k, 200, json_pack("{s:s,s:o}", "on", day, "sites", arr));
    return RK_OK;
}

static rk_status h_reconcile(sk *k)
{
    if (!site_ok(k, k->id)) return deny_site(k, k->id);
    if (!rk__site_exists(k->c->store, k->id))
        return fail(k, 404, "no site '%.40s' in this trial", k->id);
    rk_reconciliation r;
    rk_error e = {0};
    rk_status st = rk_supply_reconcile(k->sup, k->id, &r, &e);
    if (st) return fail(k, 400, "%s", e.msg);
    json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "site", k->id,
                          "received", (json_int_t)r.received, "stored", (json_int_t)r.stored,
                          "dispensed_open", (json_int_t)r.dispensed_open, "administered",
                          (json_int_t)r.administered, "returned", (json_int_t)r.returned,
                          "destroyed", (json_int_t)r.destroyed, "damaged", (json_int_t)r.damaged,
                          "lost", (json_int_t)r.lost, "expired", (json_int_t)r.expired,
                          "quarantined", (json_int_t)r.quarantined, "in_transit",
                          (json_int_t)r.in_transit, "balanced", r.balanced);
    reply(k, 200, o);
    return RK_OK;
}

/* Record every unused kit past its expiry as expired (the server's date). */
static rk_status h_expire(sk *k)
{
    static const char *const allowed[] = {NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    size_t n = 0;
    rk_error e = {0};
    rk_status st = rk_supply_expire(k->sup, k->today, k->me->username, k->now, &n, &e);
    if (st) {
        if (k->err) *k->err = e;
        return st == RK_EINVAL || st == RK_ESTATE ? RK_EINTERNAL : st;
    }
    char day[16];
    rk_date_format(k->today, day, sizeof day);
    reply(k, 200, json_pack("{s:s,s:I}", "on", day, "expired", (json_int_t)n));
    return RK_OK;
}

/* Depot kits to ship to a site, with the trial's resupply settings (rctkit supply settings;
 * defaults trigger 2, buffer 4, 14 days of shelf life).  The shipment is the same for every arm
 * (rk_supply_resupply), so the blinded administrator who ships it gets its codes and its size;
 * only an unblinded role (the site's pharmacist, the unblinded statistician) also gets the
 * per-arm detail: usable kits at the site, depot stock and the shipment's kits, arm by arm. */
static rk_status h_resupply(sk *k)
{
    if (!rk__site_exists(k->c->store, k->id))
        return fail(k, 404, "no site '%.40s' in this trial", k->id);
    int unblinded = rk_role_unblinded(k->me->role);
    if (unblinded && rk_role_site_bound(k->me->role) && strcmp(k->me->site, k->id) != 0)
        return fail(k, 403, "%s '%s' works at site %s, not %s", rk_role_name(k->me->role),
                    k->me->username, k->me->site, k->id);
    rk_supply_settings set;
    rk_status st = rk_supply_store_settings(k->c->store, &set, k->err);
    if (st) return st;
    char(*codes)[RK_KITCODE_SIZE] = NULL;
    size_t n = 0, usable[RK_SUPPLY_MAX_ARMS], depot[RK_SUPPLY_MAX_ARMS];
    rk_error e = {0};
    st = rk_supply_resupply(k->sup, k->id, k->today, set.resupply_trigger, set.resupply_buffer,
                            set.min_shelf_days, &codes, &n, &e);
    if (!st && unblinded)
        st = rk_supply_resupply_detail(k->sup, k->id, k->today, set.min_shelf_days, usable, depot,
                                       &e);
    if (st) {
        free(codes);
        return fail(k, 400, "%s", e.msg);
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(codes[i]));
    json_t *o =
        json_pack("{s:s,s:I,s:I,s:i,s:I,s:o}", "site", k->id, "trigger",
                  (json_int_t)set.resupply_trigger, "buffer", (json_int_t)set.resupply_buffer,
                  "min_shelf_days", set.min_shelf_days, "n_kits", (json_int_t)n, "kits", arr);
    if (unblinded) { /* arm by arm: unblinded roles only */
        const rk_kitlist *l = rk_supply_kits(k->sup);
        json_t *arms = json_array();
        for (size_t a = 0; a < l->n_arms; a++) {
            json_t *ka = json_array();
            for (size_t i = 0; i < n; i++) {
                long ki = rk_supply_find(k->sup, codes[i]);
                if (ki >= 0 && l->kit[ki].arm == (int)a)
                    json_array_append_new(ka, json_string(codes[i]));
            }
            json_array_append_new(arms, json_pack("{s:s,s:I,s:I,s:o}", "arm", l->arm[a], "usable",
                                                  (json_int_t)usable[a], "depot",
                                                  (json_int_t)depot[a], "kits", ka));
        }
        json_object_set_new(o, "arms", arms);
    }
    free(codes);
    reply(k, 200, o);
    return RK_OK;
}

/* ---- visit schedule and infusions ---- */

#define MAX_VISITS (sizeof(((rk_schedule *)0)->visit) / sizeof(((rk_schedule *)0)->visit[0]))

typedef struct subj_sched {
    char site[64];
    rk_date day0;
    rk_supply_settings set;
    rk__visit_done done[MAX_VISITS];
} subj_sched;

static const char *kind_str(rk_visit_kind kd)
{
    return kd == RK_VISIT_INFUSION ? "infusion" : kd == RK_VISIT_CT ? "ct" : "followup";
}

/* A randomized subject's site, day 0, the trial's schedule and the visits recorded: 1, or 0
 * when answered (404 not enrolled, 403 other site, 409 not randomized) or on an error (*st). */
static int subject_schedule(sk *k, const char *id, subj_sched *ss, rk_status *st)
{
    *st = RK_OK;
    int f = subject_site(k, id, ss->site, sizeof ss->site);
    if (f < 0) {
        *st = k->err ? k->err->code : RK_EINTERNAL;
        return 0;
    }
    if (!f) {
        fail(k, 404, "subject %.64s is not enrolled", id);
        return 0;
    }
    if (!site_ok(k, ss->site)) {
        *st = deny_site(k, ss->site);
        return 0;
    }
    int found = 0;
    if ((*st = rk__subject_day0(k->c->store, id, &ss->day0, &found, k->err))) return 0;
    if (!found) {
        fail(k, 409,
             "subject %.64s is not randomized yet: the visit schedule starts at randomization "
             "(day 0)",
             id);
        return 0;
    }
    if ((*st = rk_supply_store_settings(k->c->store, &ss->set, k->err))) return 0;
    *st = rk__visits_done(k->c->store, id, &ss->set.schedule, ss->done, k->err);
    return *st == RK_OK;
}

/* The date of ?on=DATE (default the server's date); 0 when answered 400. */
static int query_date(sk *k, rk_date *on)
{
    *on = k->today;
    if (!k->r->query_on) return 1;
    rk_error e = {0};
    if (rk_date_parse(k->r->query_on, on, &e)) {
        fail(k, 400, "?on=%.20s: give a date YYYY-MM-DD", k->r->query_on);
        return 0;
    }
    return 1;
}

static json_t *visit_json(sk *k, const subj_sched *ss, size_t i, rk_date on, int details)
{
    const rk_visit_def *v = &ss->set.schedule.visit[i];
    rk_date target = ss->day0 + v->day;
    char t[16], a[16], b[16];
    rk_date_format(target, t, sizeof t);
    rk_date_format(target - v->before, a, sizeof a);
    rk_date_format(target + v->after, b, sizeof b);
    rk_visit_status vs = rk_visit_status_on(v, ss->day0, on, ss->done[i].done);
    json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s}", "visit", v->name, "kind",
                          kind_str(v->kind), "day", v->day, "target", t, "window_start", a,
                          "window_end", b, "status", rk_visit_status_name(vs));
    if (ss->done[i].done != RK_NOT_DONE) {
        char d[16];
        rk_date_format(ss->done[i].done, d, sizeof d);
        json_object_set_new(o, "done", json_string(d));
    }
    if (ss->done[i].kit[0]) {
        json_object_set_new(o, "kit_code", json_string(ss->done[i].kit));
        char *inf = NULL;
        rk_error e = {0};
        if (details && rk__infusion_of(k->c->store, ss->done[i].kit, &inf, &e) == RK_OK && inf) {
            json_t *j = json_loads(inf, 0, NULL);
            if (j) json_object_set_new(o, "infusion", j);
        }
        free(inf);
    }
    return o;
}

/* One subject's schedule: every visit with its window and status on ?on (default today). */
static rk_status h_schedule(sk *k)
{
    subj_sched ss;
    rk_status st;
    rk_date on;
    if (!query_date(k, &on)) return RK_OK;
    if (!subject_schedule(k, k->id, &ss, &st)) return st;
    json_t *arr = json_array();
    for (size_t i = 0; i < ss.set.schedule.n; i++)
        json_array_append_new(arr, visit_json(k, &ss, i, on, 1));
    char d0[16], d[16];
    rk_date_format(ss.day0, d0, sizeof d0);
    rk_date_format(on, d, sizeof d);
    reply(k, 200,
          json_pack("{s:s,s:s,s:s,s:s,s:o}", "subject_id", k->id, "site", ss.site, "randomized", d0,
                    "on", d, "visits", arr));
    return RK_OK;
}

/* Every randomized subject's visits that need attention on ?on: due, overdue, missed (a
 * site-bound role: its own site's subjects). */
static rk_status h_schedule_all(sk *k)
{
    rk_date on;
    if (!query_date(k, &on)) return RK_OK;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(k->c->store->db,
                           "SELECT a.subject_id FROM allocations a JOIN subjects x ON "
                           "x.subject_id = a.subject_id ORDER BY a.audit_seq",
                           -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(k->c->store, "reading allocations", k->err);
    char **ids = NULL;
    size_t n = 0, cap = 0;
    rk_status st = RK_OK;
    while (!st && sqlite3_step(q) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **x = realloc(ids, cap * sizeof *x);
            if (!x) {
                st = rk_error_set(k->err, RK_ENOMEM, "out of memory");
                break;
            }
            ids = x;
        }
        const char *id = (const char *)sqlite3_column_text(q, 0);
        if (!(ids[n++] = strdup(id ? id : "")))
            st = rk_error_set(k->err, RK_ENOMEM, "out of memory");
    }
    sqlite3_finalize(q);
    json_t *arr = json_array();
    size_t counts[3] = {0, 0, 0};
    subj_sched *ss = st ? NULL : malloc(sizeof *ss);
    if (!st && !ss) st = rk_error_set(k->err, RK_ENOMEM, "out of memory");
    if (!st) st = rk_supply_store_settings(k->c->store, &ss->set, k->err);
    for (size_t i = 0; i < n && !st; i++) {
        int f = subject_site(k, ids[i], ss->site, sizeof ss->site);
        if (f < 0) {
            st = k->err ? k->err->code : RK_EINTERNAL;
            break;
        }
        if (!f || !site_ok(k, ss->site)) continue;
        int found = 0;
        if ((st = rk__subject_day0(k->c->store, ids[i], &ss->day0, &found, k->err)) || !found)
            continue;
        st = rk__visits_done(k->c->store, ids[i], &ss->set.schedule, ss->done, k->err);
        for (size_t v = 0; v < ss->set.schedule.n && !st; v++) {
            rk_visit_status vs =
                rk_visit_status_on(&ss->set.schedule.visit[v], ss->day0, on, ss->done[v].done);
            if (vs != RK_VS_DUE && vs != RK_VS_OVERDUE && vs != RK_VS_MISSED) continue;
            counts[vs == RK_VS_DUE ? 0 : vs == RK_VS_OVERDUE ? 1 : 2]++;
            json_t *o = visit_json(k, ss, v, on, 0);
            json_object_set_new(o, "subject_id", json_string(ids[i]));
            json_object_set_new(o, "site", json_string(ss->site));
            json_array_append_new(arr, o);
        }
    }
    free(ss);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    if (st) {
        json_decref(arr);
        return st;
    }
    char d[16];
    rk_date_format(on, d, sizeof d);
    reply(k, 200,
          json_pack("{s:s,s:I,s:I,s:I,s:o}", "on", d, "due", (json_int_t)counts[0], "overdue",
                    (json_int_t)counts[1], "missed", (json_int_t)counts[2], "visits", arr));
    return RK_OK;
}

static long find_visit(const subj_sched *ss, const char *name)
{
    for (size_t i = 0; i < ss->set.schedule.n; i++)
        if (!strcmp(ss->set.schedule.visit[i].name, name)) return (long)i;
    return -1;
}

/* The first infusion visit not yet recorded, or -1. */
static long next_infusion(const subj_sched *ss)
{
    for (size_t i = 0; i < ss->set.schedule.n; i++)
        if (ss->set.schedule.visit[i].kind == RK_VISIT_INFUSION && ss->done[i].done == RK_NOT_DONE)
            return (long)i;
    return -1;
}

static rk_date date_of_time(rk_time t)
{
    return (rk_date)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

/* Record an infusion: the subject's dispensed kit becomes administered with the infusion (start,
 * end, vital signs, reactions) and the infusion visit is recorded as done on the infusion's
 * date, tied to the kit, both in the audit chain.  Investigator or pharmacist of the site. */
static rk_status h_infusion(sk *k)
{
    static const char *const allowed[] = {"kit", "visit", "infusion", "where", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *code = str_field(k, "kit", 1, 20, &bad);
    const char *visit = str_field(k, "visit", 0, 31, &bad);
    const char *where = str_field(k, "where", 0, 64, &bad);
    if (bad) return RK_OK;
    json_t *jin = json_object_get(k->r->body, "infusion");
    if (!jin) return fail(k, 400, "missing field 'infusion' (start, end, vital signs, reactions)");
    char subject[80];
    snprintf(subject, sizeof subject, "%s", k->id);
    subj_sched ss;
    rk_status st;
    if (!subject_schedule(k, subject, &ss, &st)) return st;
    long vi;
    if (visit) {
        vi = find_visit(&ss, visit);
        if (vi < 0) return fail(k, 400, "no visit '%s' in the trial's schedule", visit);
        if (ss.set.schedule.visit[vi].kind != RK_VISIT_INFUSION)
            return fail(k, 400,
                        "visit %s is a %s visit, not an infusion: record it with POST "
                        "/api/supply/subjects/%s/visits",
                        visit, kind_str(ss.set.schedule.visit[vi].kind), subject);
    } else if ((vi = next_infusion(&ss)) < 0) {
        return fail(k, 409,
                    "subject %s has every infusion visit of the schedule recorded: no infusion "
                    "is due",
                    subject);
    }
    const rk_visit_def *v = &ss.set.schedule.visit[vi];
    if (ss.done[vi].done != RK_NOT_DONE) {
        char d[16];
        rk_date_format(ss.done[vi].done, d, sizeof d);
        return fail(k, 409, "subject %s: visit %s was already recorded on %s (kit %s)", subject,
                    v->name, d, ss.done[vi].kit);
    }
    rk_infusion inf;
    if (!parse_infusion(k, jin, &inf)) return RK_OK;
    if (inf.end > k->now + 300) { /* 5 minutes for clocks that differ a little */
        char e[24];
        rk_time_format(inf.end, e, sizeof e);
        return fail(k, 400,
                    "infusion: 'end' %s is in the future: record an infusion once it is over", e);
    }
    snprintf(k->id, sizeof k->id, "%s", code);
    const rk_kit *kit = path_kit(k, &st);
    if (!kit) return st;
    char kc[RK_KITCODE_SIZE];
    memcpy(kc, kit->code, sizeof kc);
    rk_scan sc = {.kit = kc,
                  .to = RK_KIT_ADMINISTERED,
                  .who = k->me->username,
                  .where = where ? where : default_where(k),
                  .role = k->me->role,
                  .when = k->now,
                  .subject = subject,
                  .infusion = &inf};
    rk_error e = {0};
    st = rk_supply_scan(k->sup, &sc, &e);
    if (st) return refused(k, kc, st, &e);
    rk_date done = date_of_time(inf.start);
    if ((st = rk__visit_record(k->c->store, subject, v, done, kc, k->me->username, k->err)))
        return st;
    ss.done[vi].done = done;
    snprintf(ss.done[vi].kit, sizeof ss.done[vi].kit, "%s", kc);
    json_t *o = visit_json(k, &ss, (size_t)vi, k->today, 1);
    json_object_set_new(o, "subject_id", json_string(subject));
    json_object_set_new(o, "seq", json_integer((json_int_t)rk_supply_seq(k->sup)));
    reply(k, 201, o);
    return RK_OK;
}

/* Record a CT or follow-up visit as done (investigator of the subject's site). */
static rk_status h_visit(sk *k)
{
    static const char *const allowed[] = {"visit", "date", NULL};
    if (!check_fields(k, allowed)) return RK_OK;
    int bad = 0;
    const char *visit = str_field(k, "visit", 1, 31, &bad);
    const char *date = str_field(k, "date", 0, 10, &bad);
    if (bad) return RK_OK;
    rk_date done = k->today;
    rk_error e = {0};
    if (date && rk_date_parse(date, &done, &e))
        return fail(k, 400, "field 'date': '%s' is not a date YYYY-MM-DD", date);
    if (done > k->today)
        return fail(k, 400, "field 'date': %s is in the future: record a visit once it is done",
                    date);
    subj_sched ss;
    rk_status st;
    if (!subject_schedule(k, k->id, &ss, &st)) return st;
    long vi = find_visit(&ss, visit);
    if (vi < 0) return fail(k, 400, "no visit '%s' in the trial's schedule", visit);
    const rk_visit_def *v = &ss.set.schedule.visit[vi];
    if (v->kind == RK_VISIT_INFUSION)
        return fail(k, 400,
                    "visit %s is an infusion: record it with POST /api/supply/subjects/%s/"
                    "infusions (the kit and the infusion)",
                    visit, k->id);
    if (ss.done[vi].done != RK_NOT_DONE) {
        char d[16];
        rk_date_format(ss.done[vi].done, d, sizeof d);
        return fail(k, 409, "subject %s: visit %s was already recorded on %s", k->id, v->name, d);
    }
    if ((st = rk__visit_record(k->c->store, k->id, v, done, "", k->me->username, k->err)))
        return st;
    ss.done[vi].done = done;
    json_t *o = visit_json(k, &ss, (size_t)vi, k->today, 0);
    json_object_set_new(o, "subject_id", json_string(k->id));
    reply(k, 201, o);
    return RK_OK;
}

/* ---- routing (roles are checked by the server's route table) ---- */

typedef struct sroute {
    const char *method, *pattern;
    rk_status (*fn)(sk *k);
} sroute;

static const sroute sroutes[] = {
    {"GET", "/api/supply/kits", h_kits},
    {"GET", "/api/supply/kits/*", h_kit},
    {"POST", "/api/supply/kits/*/scan", h_scan},
    {"POST", "/api/supply/kits/*/release", h_release},
    {"POST", "/api/supply/shipments", h_ship},
    {"POST", "/api/supply/shipments/*/logger", h_logger},
    {"POST", "/api/supply/subjects/*/allocate", h_allocate},
    {"GET", "/api/supply/inventory", h_inventory},
    {"GET", "/api/supply/sites/*/reconcile", h_reconcile},
    {"GET", "/api/supply/sites/*/resupply", h_resupply},
    {"POST", "/api/supply/expire", h_expire},
    {"GET", "/api/supply/schedule", h_schedule_all},
    {"GET", "/api/supply/subjects/*/schedule", h_schedule},
    {"POST", "/api/supply/subjects/*/infusions", h_infusion},
    {"POST", "/api/supply/subjects/*/visits", h_visit},
};

rk_status rk__supply_handle(rk__api_ctx *c, const rk__api_req *r, const rk__who *me,
                            rk__api_resp *resp, rk_error *err)
{
    sk k = {.c = c, .r = r, .me = me, .resp = resp, .err = err};
    const sroute *hit = NULL;
    for (size_t i = 0; i < sizeof sroutes / sizeof sroutes[0] && !hit; i++)
        if (!strcmp(sroutes[i].method, r->method) &&
            rk__api_match(sroutes[i].pattern, r->path, k.id, sizeof k.id))
            hit = &sroutes[i];
    if (!hit) return fail(&k, 404, "no endpoint %s %.100s", r->method, r->path);
    rk_status st = rk__supply_get(c->store, c->trial, &c->supply, &k.sup, err);
    if (st) return st;
    if (!k.sup)
        return fail(&k, 409,
                    "this trial tracks no kits yet: load the kit list with 'rctkit supply load'");
    k.now = rk__unix_now();
    k.today = (rk_date)(k.now / 86400);
    return hit->fn(&k);
}

rk_status rk__supply_kit_hook(void *ctx, const char *subject, const char *site, const char *arm,
                              const char *user, char *code, size_t code_size, rk_error *err)
{
    rk__api_ctx *c = ctx;
    if (code_size) code[0] = '\0';
    rk_supply *sup = NULL;
    rk_status st = rk__supply_get(c->store, c->trial, &c->supply, &sup, err);
    if (st || !sup) return st;
    int a = rk__supply_arm_index(c->trial, arm);
    if (a < 0)
        return rk_error_set(err, RK_EINTERNAL, "subject %s: arm not in the trial's kit list",
                            subject);
    if (code_size < RK_KITCODE_SIZE)
        return rk_error_set(err, RK_EINTERNAL, "kit code buffer too small");
    rk_time now = rk__unix_now();
    /* the subject now exists in the tracking state: a refusal below must forget it */
    st = rk_supply_set_subject(sup, subject, a, site, err);
    if (!st)
        st = rk_supply_allocate(sup, subject, (rk_date)(now / 86400),
                                user && user[0] ? user : "iwrs", now, code, err);
    if (st) rk__supply_invalidate(c->supply);
    return st;
}

/* An administration scanned with POST .../scan: the subject's next infusion visit is recorded as
 * done on the infusion's date, tied to the kit (as POST .../infusions does). */
static rk_status infusion_visit(sk *k, const char *subject, const char *code,
                                const rk_infusion *inf)
{
    subj_sched *ss = malloc(sizeof *ss);
    if (!ss) return rk_error_set(k->err, RK_ENOMEM, "out of memory");
    int found = 0;
    rk_status st = rk__subject_day0(k->c->store, subject, &ss->day0, &found, k->err);
    if (!st && found) st = rk_supply_store_settings(k->c->store, &ss->set, k->err);
    if (!st && found)
        st = rk__visits_done(k->c->store, subject, &ss->set.schedule, ss->done, k->err);
    long vi = !st && found ? next_infusion(ss) : -1;
    if (vi >= 0)
        st = rk__visit_record(k->c->store, subject, &ss->set.schedule.visit[vi],
                              date_of_time(inf->start), code, k->me->username, k->err);
    free(ss);
    return st;
}
