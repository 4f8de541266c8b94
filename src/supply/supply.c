/* The kit state machine: every scan is checked against the allowed transitions, the batch
 * release, expiry and the subject's concealed allocation, handed to the sink, then applied. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "supply/supply_internal.h"

typedef struct subject {
    char id[RK_SUPPLY_ID];
    char site[RK_SUPPLY_ID];
    int arm;
    long allocated; /* kit index or -1 */
} subject;

typedef struct batch {
    char id[RK_SUPPLY_ID];
    int released;
} batch;

struct rk_supply {
    rk_kitlist *list;
    uint32_t *index; /* open addressing: kit index + 1, 0 = empty */
    size_t hcap;
    rk_supply_sink sink;
    uint64_t seq;
    subject *subj;
    size_t n_subj, cap_subj;
    batch *batches;
    size_t n_batches;
    int all_released; /* every kit's batch released: shipping is allowed for all kits or none */
    int random_pick;  /* allocate a usable kit chosen at random, not the lowest-numbered */
};

static const char *const state_names[RK_KIT_NSTATES] = {
    "prepared",    "packaged", "shipped", "received", "stored",   "dispensed", "administered",
    "quarantined", "damaged",  "expired", "lost",     "returned", "destroyed"};

const char *rk_kit_state_name(rk_kit_state s)
{
    return (unsigned)s < RK_KIT_NSTATES ? state_names[s] : "?";
}

rk_status rk_kit_state_parse(const char *name, rk_kit_state *out, rk_error *err)
{
    for (int i = 0; i < RK_KIT_NSTATES; i++)
        if (name && !strcmp(name, state_names[i])) {
            *out = (rk_kit_state)i;
            return RK_OK;
        }
    return rk_error_set(err, RK_EINVAL,
                        "unknown kit state '%s' (prepared, packaged, shipped, received, stored, "
                        "dispensed, administered, quarantined, damaged, expired, lost, returned, "
                        "destroyed)",
                        name ? name : "");
}

#define B(s) (1u << (s))
/* allowed[from] = set of states a scan may move a kit to (release from quarantine is separate). */
static const unsigned allowed[RK_KIT_NSTATES] = {
    [RK_KIT_PREPARED] = B(RK_KIT_PACKAGED) | B(RK_KIT_QUARANTINED) | B(RK_KIT_DAMAGED) |
                        B(RK_KIT_EXPIRED) | B(RK_KIT_LOST) | B(RK_KIT_DESTROYED),
    [RK_KIT_PACKAGED] = B(RK_KIT_SHIPPED) | B(RK_KIT_QUARANTINED) | B(RK_KIT_DAMAGED) |
                        B(RK_KIT_EXPIRED) | B(RK_KIT_LOST) | B(RK_KIT_DESTROYED),
    [RK_KIT_SHIPPED] =
        B(RK_KIT_RECEIVED) | B(RK_KIT_QUARANTINED) | B(RK_KIT_DAMAGED) | B(RK_KIT_LOST),
    [RK_KIT_RECEIVED] = B(RK_KIT_STORED) | B(RK_KIT_QUARANTINED) | B(RK_KIT_DAMAGED) |
                        B(RK_KIT_EXPIRED) | B(RK_KIT_LOST) | B(RK_KIT_RETURNED),
    [RK_KIT_STORED] = B(RK_KIT_DISPENSED) | B(RK_KIT_QUARANTINED) | B(RK_KIT_DAMAGED) |
                      B(RK_KIT_EXPIRED) | B(RK_KIT_LOST) | B(RK_KIT_RETURNED),
    [RK_KIT_DISPENSED] = B(RK_KIT_ADMINISTERED) | B(RK_KIT_DAMAGED) | B(RK_KIT_LOST) |
                         B(RK_KIT_RETURNED) | B(RK_KIT_QUARANTINED),
    [RK_KIT_ADMINISTERED] = 0,
    [RK_KIT_QUARANTINED] = B(RK_KIT_DAMAGED) | B(RK_KIT_EXPIRED) | B(RK_KIT_LOST) |
                           B(RK_KIT_RETURNED) | B(RK_KIT_DESTROYED),
    [RK_KIT_DAMAGED] = B(RK_KIT_RETURNED) | B(RK_KIT_DESTROYED),
    [RK_KIT_EXPIRED] = B(RK_KIT_RETURNED) | B(RK_KIT_DESTROYED),
    [RK_KIT_LOST] = 0,
    [RK_KIT_RETURNED] = B(RK_KIT_DESTROYED),
    [RK_KIT_DESTROYED] = 0,
};

static uint64_t code_hash(const char *c)
{
    uint64_t h = 1469598103934665603ull;
    for (; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    return h;
}

static long find(const rk_supply *s, const char *code)
{
    size_t h = code_hash(code) & (s->hcap - 1);
    while (s->index[h]) {
        if (!strcmp(s->list->kit[s->index[h] - 1].code, code)) return (long)s->index[h] - 1;
        h = (h + 1) & (s->hcap - 1);
    }
    return -1;
}

rk_status rk_supply_new(const rk_kitlist *list, const rk_supply_sink *sink, rk_supply **out,
                        rk_error *err)
{
    *out = NULL;
    rk_supply *s = calloc(1, sizeof *s);
    if (!s) return rk_error_set(err, RK_ENOMEM, "out of memory");
    s->hcap = 16;
    while (s->hcap < 2 * list->n)
        s->hcap <<= 1;
    s->list = calloc(1, sizeof *s->list);
    s->index = calloc(s->hcap, sizeof *s->index);
    if (s->list) s->list->kit = malloc((list->n ? list->n : 1) * sizeof *list->kit);
    if (!s->list || !s->index || !s->list->kit) {
        rk_supply_free(s);
        return rk_error_set(err, RK_ENOMEM, "out of memory for %zu kits", list->n);
    }
    s->list->n = list->n;
    s->list->n_arms = list->n_arms;
    memcpy(s->list->arm, list->arm, sizeof list->arm);
    memcpy(s->list->kit, list->kit, list->n * sizeof *list->kit);
    for (size_t i = 0; i < list->n; i++) {
        if (find(s, list->kit[i].code) >= 0) {
            rk_status st = rk_error_set(err, RK_EINVAL, "kit code %s appears twice in the list",
                                        list->kit[i].code);
            rk_supply_free(s);
            return st;
        }
        size_t h = code_hash(list->kit[i].code) & (s->hcap - 1);
        while (s->index[h])
            h = (h + 1) & (s->hcap - 1);
        s->index[h] = (uint32_t)(i + 1);
    }
    if (sink) s->sink = *sink;
    *out = s;
    return RK_OK;
}

void rk_supply_free(rk_supply *s)
{
    if (!s) return;
    rk_kitlist_free(s->list);
    free(s->index);
    free(s->subj);
    free(s->batches);
    free(s);
}

const rk_kitlist *rk_supply_kits(const rk_supply *s)
{
    return s->list;
}

long rk_supply_find(const rk_supply *s, const char *code)
{
    return code ? find(s, code) : -1;
}

uint64_t rk_supply_seq(const rk_supply *s)
{
    return s->seq;
}

rk_status rk_supply_set_batches(rk_supply *s, const rk_batch_release *b, size_t n,
                                const rk_release_criteria *c, rk_error *err)
{
    batch *nb = calloc(n ? n : 1, sizeof *nb);
    if (!nb) return rk_error_set(err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        memcpy(nb[i].id, b[i].batch, sizeof nb[i].id);
        nb[i].released = rk_batch_check(&b[i], c, NULL) == RK_OK;
    }
    free(s->batches);
    s->batches = nb;
    s->n_batches = n;
    /* Shipping is refused for every kit while any batch of the list is not released: batches are
     * arm-specific, so refusing only the failing batch's kits would sort the kits by arm for the
     * blinded staff who scan them. */
    s->all_released = 1;
    for (size_t k = 0; k < s->list->n && s->all_released; k++) {
        int ok = 0;
        for (size_t i = 0; i < n && !ok; i++)
            ok = nb[i].released && !strcmp(nb[i].id, s->list->kit[k].batch);
        s->all_released = ok;
    }
    return RK_OK;
}

static subject *find_subject(const rk_supply *s, const char *id)
{
    for (size_t i = 0; i < s->n_subj; i++)
        if (!strcmp(s->subj[i].id, id)) return &s->subj[i];
    return NULL;
}

rk_status rk_supply_set_subject(rk_supply *s, const char *id, int arm, const char *site,
                                rk_error *err)
{
    if (arm < 0 || (size_t)arm >= s->list->n_arms)
        return rk_error_set(err, RK_EINVAL, "subject %s: arm index %d out of range", id, arm);
    subject *p = find_subject(s, id);
    if (!p) {
        if (s->n_subj == s->cap_subj) {
            size_t nc = s->cap_subj ? 2 * s->cap_subj : 16;
            subject *q = realloc(s->subj, nc * sizeof *q);
            if (!q) return rk_error_set(err, RK_ENOMEM, "out of memory");
            s->subj = q;
            s->cap_subj = nc;
        }
        p = &s->subj[s->n_subj];
        memset(p, 0, sizeof *p);
        p->allocated = -1;
        rk_status st = rk__copy_id(p->id, sizeof p->id, id, "subject", 1, err);
        if (st) return st;
        s->n_subj++;
    }
    p->arm = arm;
    return rk__copy_id(p->site, sizeof p->site, site, "site", 1, err);
}

static rk_status lookup(const rk_supply *s, const char *code, long *k, rk_error *err)
{
    if (!code || !*code) return rk_error_set(err, RK_EINVAL, "no kit code: scan the kit label");
    if (!rk_kitcode_valid(code))
        return rk_error_set(err, RK_EINVAL,
                            "'%s' is not a valid kit code (length or check symbol wrong): scan "
                            "the label again or retype the code",
                            code);
    *k = find(s, code);
    if (*k < 0)
        return rk_error_set(err, RK_EINVAL,
                            "kit %s is not in this trial's kit list: do not use it; set it aside "
                            "and call the depot",
                            code);
    return RK_OK;
}

static void allowed_list(unsigned set, char *b, size_t n)
{
    size_t len = 0;
    b[0] = 0;
    for (int i = 0; i < RK_KIT_NSTATES; i++)
        if (set & B(i)) {
            int w = snprintf(b + len, n - len, "%s%s", len ? ", " : "", state_names[i]);
            if (w < 0 || (size_t)w >= n - len) break;
            len += (size_t)w;
        }
    if (!len) snprintf(b, n, "none: this is a final state");
}

static rk_status emit(rk_supply *s, rk_supply_record *r, int use_sink, rk_error *err)
{
    r->seq = s->seq + 1;
    if (use_sink && s->sink.record) {
        rk_status st = s->sink.record(s->sink.ctx, r, err);
        if (st) return st;
    }
    s->seq++;
    return RK_OK;
}

static const char *nz(const char *p)
{
    return p ? p : "";
}

static int need(const char *v)
{
    return v && *v;
}

void rk_infusion_init(rk_infusion *in)
{
    memset(in, 0, sizeof *in);
    in->temp_c = in->pulse = in->resp_rate = in->sbp = in->dbp = in->spo2 = NAN;
    snprintf(in->reactions, sizeof in->reactions, "none");
}

/* Plausible ranges for the infusion's vital signs: a value outside is a typing error. */
static rk_status check_infusion(const char *code, const rk_infusion *in, rk_error *err)
{
    static const struct {
        const char *name;
        double lo, hi;
    } lim[6] = {{"temperature (C)", 30, 45},
                {"pulse (/min)", 20, 250},
                {"respiratory rate (/min)", 4, 80},
                {"systolic pressure (mmHg)", 50, 280},
                {"diastolic pressure (mmHg)", 20, 180},
                {"SpO2 (%)", 50, 100}};
    const double v[6] = {in->temp_c, in->pulse, in->resp_rate, in->sbp, in->dbp, in->spo2};
    if (in->end < in->start)
        return rk_error_set(err, RK_EINVAL, "kit %s: the infusion ends before it starts", code);
    if (in->end - in->start > 24 * 3600)
        return rk_error_set(err, RK_EINVAL,
                            "kit %s: an infusion of more than 24 h: check the start and end times",
                            code);
    for (int i = 0; i < 6; i++)
        if (v[i] == v[i] && (v[i] < lim[i].lo || v[i] > lim[i].hi))
            return rk_error_set(err, RK_EINVAL,
                                "kit %s: %s %g is outside the plausible %g-%g: check the entry "
                                "(NA if not measured)",
                                code, lim[i].name, v[i], lim[i].lo, lim[i].hi);
    return RK_OK;
}

/* The checks of one scan and its effect; use_sink = 0 when replaying a journal. */
static rk_status do_scan(rk_supply *s, const rk_scan *sc, const char *action, int use_sink,
                         rk_error *err)
{
    long k;
    rk_status st = lookup(s, sc->kit, &k, err);
    if (st) return st;
    rk_kit *kit = &s->list->kit[k];
    rk_kit_state from = kit->state, to = sc->to;
    char d[16], when_date[16];
    rk_date today = (rk_date)(sc->when >= 0 ? sc->when / 86400 : -((-sc->when + 86399) / 86400));
    rk_date_format(today, when_date, sizeof when_date);
    if ((unsigned)to >= RK_KIT_NSTATES)
        return rk_error_set(err, RK_EINVAL, "kit %s: unknown target state", kit->code);
    if (!need(sc->who))
        return rk_error_set(err, RK_EINVAL, "kit %s: who scanned it? give the user name",
                            kit->code);
    /* The common mistakes first, each with its own advice. */
    if (to == RK_KIT_RECEIVED && from != RK_KIT_SHIPPED) {
        if (from == RK_KIT_RECEIVED || from == RK_KIT_STORED || from == RK_KIT_DISPENSED ||
            from == RK_KIT_ADMINISTERED || from == RK_KIT_RETURNED)
            return rk_error_set(err, RK_ESTATE,
                                "kit %s was already received (now %s%s%s): do not receive it "
                                "again; if you hold two kits with this code, quarantine both and "
                                "call the depot",
                                kit->code, state_names[from], kit->site[0] ? " at " : "",
                                kit->site);
        if (from == RK_KIT_PREPARED || from == RK_KIT_PACKAGED)
            return rk_error_set(err, RK_ESTATE,
                                "kit %s was never shipped (it is %s): do not receive it; set it "
                                "aside and call the depot",
                                kit->code, state_names[from]);
    }
    if (to == RK_KIT_DISPENSED) {
        if (from == RK_KIT_QUARANTINED)
            return rk_error_set(err, RK_ESTATE,
                                "kit %s is quarantined (%s): do not dispense it; keep it apart at "
                                "8-12 C until an unblinded user reviews it, and dispense the kit "
                                "the system allocates instead",
                                kit->code, kit->note[0] ? kit->note : "no reason recorded");
        if (from == RK_KIT_EXPIRED || (from == RK_KIT_STORED && kit->expiry < today)) {
            rk_date_format(kit->expiry, d, sizeof d);
            return rk_error_set(err, RK_ESTATE,
                                "kit %s expired on %s: do not dispense it; record it as expired, "
                                "return it, and allocate a new kit for the subject",
                                kit->code, d);
        }
        if (from == RK_KIT_STORED) {
            if (!need(sc->subject))
                return rk_error_set(err, RK_EINVAL,
                                    "kit %s: dispensing needs the subject (--subject ID)",
                                    kit->code);
            subject *p = find_subject(s, sc->subject);
            if (!p)
                return rk_error_set(err, RK_ESTATE,
                                    "subject %s is not randomized: randomize the subject before "
                                    "dispensing",
                                    sc->subject);
            /* Only the allocated kit may be dispensed: a kit of the wrong arm and a kit of the
             * right arm allocated to nobody get the same answer, so refusals reveal no arm. */
            if (p->allocated < 0)
                return rk_error_set(err, RK_ESTATE,
                                    "subject %s has no kit allocated for this visit: allocate "
                                    "one first, then scan the allocated kit",
                                    p->id);
            if (p->allocated != k)
                return rk_error_set(err, RK_ESTATE,
                                    "kit %s is not the kit allocated to subject %s: put it back "
                                    "in storage and dispense kit %s",
                                    kit->code, p->id, s->list->kit[p->allocated].code);
        }
    }
    if (to == RK_KIT_ADMINISTERED && from == RK_KIT_DISPENSED &&
        (!need(sc->subject) || strcmp(sc->subject, kit->subject) != 0))
        return rk_error_set(err, RK_ESTATE,
                            "kit %s was dispensed to subject %s, not %s: do not infuse it; check "
                            "the subject's identity and the kit label",
                            kit->code, kit->subject, nz(sc->subject));
    if (!(allowed[from] & B(to))) {
        char list[200];
        allowed_list(allowed[from], list, sizeof list);
        const char *hint =
            from == RK_KIT_QUARANTINED ? "; to use it again an unblinded user must release it" : "";
        return rk_error_set(err, RK_ESTATE, "kit %s is %s; it cannot become %s (allowed: %s)%s",
                            kit->code, state_names[from], state_names[to], list, hint);
    }
    if ((to == RK_KIT_QUARANTINED || to == RK_KIT_DAMAGED || to == RK_KIT_LOST ||
         to == RK_KIT_RETURNED || to == RK_KIT_DESTROYED) &&
        !need(sc->why))
        return rk_error_set(err, RK_EINVAL, "kit %s: say why it is %s (--why TEXT)", kit->code,
                            state_names[to]);
    if (to == RK_KIT_SHIPPED) {
        if (!need(sc->shipment) || !need(sc->site))
            return rk_error_set(err, RK_EINVAL,
                                "kit %s: shipping needs the shipment id and the destination site",
                                kit->code);
        if (!s->all_released)
            return rk_error_set(err, RK_ESTATE,
                                "kit %s cannot be shipped: a manufacturing batch of the kit list "
                                "is not released (release data missing or failing), so no kit "
                                "ships; keep them at the depot; the unblinded pharmacist sees "
                                "the reason in the batch report",
                                kit->code);
    }
    if (to == RK_KIT_RECEIVED) {
        if (!need(sc->site))
            return rk_error_set(err, RK_EINVAL, "kit %s: receiving needs the site", kit->code);
        if (strcmp(sc->site, kit->site) != 0)
            return rk_error_set(err, RK_ESTATE,
                                "kit %s was shipped to site %s, not %s: do not receive it; keep "
                                "it at 8-12 C and call the depot",
                                kit->code, kit->site, sc->site);
        if (need(sc->shipment) && strcmp(sc->shipment, kit->shipment) != 0)
            return rk_error_set(err, RK_ESTATE,
                                "kit %s travelled in shipment %s, not %s: check the packing list",
                                kit->code, kit->shipment, sc->shipment);
    }
    if (to == RK_KIT_EXPIRED && kit->expiry >= today) {
        rk_date_format(kit->expiry, d, sizeof d);
        return rk_error_set(err, RK_ESTATE, "kit %s expires on %s, not yet on %s", kit->code, d,
                            when_date);
    }
    rk_supply_record r = {0};
    r.kit = kit->code;
    r.from = from;
    r.to = to;
    r.action = action;
    r.who = sc->who;
    r.where = nz(sc->where);
    r.why = nz(sc->why);
    r.role = sc->role;
    r.when = sc->when;
    r.site = to == RK_KIT_SHIPPED || to == RK_KIT_RECEIVED ? sc->site : kit->site;
    r.shipment = to == RK_KIT_SHIPPED ? sc->shipment : kit->shipment;
    r.subject =
        to == RK_KIT_DISPENSED || to == RK_KIT_ADMINISTERED ? nz(sc->subject) : kit->subject;
    r.infusion = to == RK_KIT_ADMINISTERED ? sc->infusion : NULL;
    if (r.infusion && (st = check_infusion(kit->code, r.infusion, err))) return st;
    if ((st = emit(s, &r, use_sink, err))) return st;
    /* accepted: apply */
    if (to == RK_KIT_SHIPPED) {
        snprintf(kit->site, sizeof kit->site, "%s", sc->site);
        snprintf(kit->shipment, sizeof kit->shipment, "%s", sc->shipment);
    }
    if (to == RK_KIT_QUARANTINED) kit->held_from = from;
    if (to == RK_KIT_QUARANTINED || to == RK_KIT_DAMAGED || to == RK_KIT_LOST ||
        to == RK_KIT_RETURNED || to == RK_KIT_DESTROYED)
        snprintf(kit->note, sizeof kit->note, "%s", sc->why);
    if (to == RK_KIT_DISPENSED) {
        subject *p = find_subject(s, sc->subject);
        if (p) p->allocated = -1;
    }
    if (from == RK_KIT_STORED && to != RK_KIT_DISPENSED && kit->subject[0]) {
        subject *p = find_subject(s, kit->subject); /* an allocated kit leaves stock */
        if (p && p->allocated == k) p->allocated = -1;
        kit->subject[0] = 0;
    }
    kit->state = to;
    return RK_OK;
}

rk_status rk_supply_scan(rk_supply *s, const rk_scan *scan, rk_error *err)
{
    return do_scan(s, scan, "scan", 1, err);
}

static rk_status do_release(rk_supply *s, const char *code, const char *who, rk_role role,
                            const char *why, rk_time when, int use_sink, rk_error *err)
{
    long k;
    rk_status st = lookup(s, code, &k, err);
    if (st) return st;
    rk_kit *kit = &s->list->kit[k];
    if (kit->state != RK_KIT_QUARANTINED)
        return rk_error_set(err, RK_ESTATE, "kit %s is %s, not quarantined: nothing to release",
                            kit->code, state_names[kit->state]);
    if (!rk_role_unblinded(role))
        return rk_error_set(err, RK_ESTATE,
                            "kit %s: releasing a kit from quarantine needs an unblinded role; "
                            "ask the pharmacist or the unblinded statistician",
                            kit->code);
    if (!need(why) || !need(who))
        return rk_error_set(err, RK_EINVAL,
                            "kit %s: a release from quarantine needs who and why (--why TEXT)",
                            kit->code);
    rk_supply_record r = {0};
    r.kit = kit->code;
    r.from = kit->state;
    r.to = kit->held_from;
    r.action = "release";
    r.who = who;
    r.where = "";
    r.why = why;
    r.role = role;
    r.when = when;
    r.site = kit->site;
    r.shipment = kit->shipment;
    r.subject = kit->subject;
    if ((st = emit(s, &r, use_sink, err))) return st;
    kit->state = kit->held_from;
    kit->note[0] = 0;
    return RK_OK;
}

rk_status rk_supply_release(rk_supply *s, const char *kit, const char *who, rk_role role,
                            const char *why, rk_time when, rk_error *err)
{
    return do_release(s, kit, who, role, why, when, 1, err);
}

static int allocatable(const rk_kit *k, const subject *p, rk_date on)
{
    return k->state == RK_KIT_STORED && k->arm == p->arm && !k->subject[0] &&
           !strcmp(k->site, p->site) && k->expiry >= on;
}

static rk_status do_allocate(rk_supply *s, const char *subj, rk_date on, const char *who,
                             rk_time when, const char *want, char code_out[RK_KITCODE_SIZE],
                             int use_sink, rk_error *err)
{
    subject *p = find_subject(s, subj);
    if (!p)
        return rk_error_set(err, RK_ESTATE, "subject %s is not randomized: randomize first", subj);
    if (p->allocated >= 0)
        return rk_error_set(err, RK_ESTATE,
                            "subject %s already has kit %s allocated: dispense that kit", p->id,
                            s->list->kit[p->allocated].code);
    long best = -1;
    if (want) { /* replay: the journal says which kit */
        best = find(s, want);
        if (best >= 0 && !allocatable(&s->list->kit[best], p, on)) best = -1;
    } else if (s->random_pick) {
        /* uniform among the usable kits (libsodium's system RNG, secret): which kit a subject
         * gets, and which kits are passed over, then says nothing about the arms */
        size_t m = 0;
        for (size_t i = 0; i < s->list->n; i++)
            m += allocatable(&s->list->kit[i], p, on);
        if (m) {
            size_t r = m > UINT32_MAX ? (size_t)randombytes_uniform(UINT32_MAX)
                                      : (size_t)randombytes_uniform((uint32_t)m);
            for (size_t i = 0; i < s->list->n && best < 0; i++)
                if (allocatable(&s->list->kit[i], p, on) && r-- == 0) best = (long)i;
        }
    } else {
        for (size_t i = 0; i < s->list->n; i++)
            if (allocatable(&s->list->kit[i], p, on)) {
                best = (long)i;
                break;
            }
    }
    if (best < 0)
        return rk_error_set(err, RK_ESTATE,
                            "no kit can be allocated to subject %s at site %s: the site's stock "
                            "for this subject is exhausted; request an emergency shipment "
                            "(rctkit supply report --resupply)",
                            p->id, p->site);
    rk_kit *kit = &s->list->kit[best];
    rk_supply_record r = {0};
    r.kit = kit->code;
    r.from = r.to = kit->state;
    r.action = "allocate";
    r.who = who;
    r.where = p->site;
    r.why = "";
    r.role = RK_ROLE_INVESTIGATOR; /* on the investigator's request, blinded */
    r.when = when;
    r.site = kit->site;
    r.shipment = kit->shipment;
    r.subject = p->id;
    rk_status st = emit(s, &r, use_sink, err);
    if (st) return st;
    snprintf(kit->subject, sizeof kit->subject, "%s", p->id);
    p->allocated = best;
    if (code_out) memcpy(code_out, kit->code, RK_KITCODE_SIZE);
    return RK_OK;
}

void rk_supply_set_random_allocation(rk_supply *s, int on)
{
    if (s) s->random_pick = on != 0;
}

rk_status rk_supply_allocate(rk_supply *s, const char *subj, rk_date on, const char *who,
                             rk_time when, char code_out[RK_KITCODE_SIZE], rk_error *err)
{
    return do_allocate(s, subj, on, who, when, NULL, code_out, 1, err);
}

rk_status rk_supply_quarantine_shipment(rk_supply *s, const char *shipment, const char *who,
                                        const char *why, rk_time when, size_t *n_kits,
                                        rk_error *err)
{
    *n_kits = 0;
    for (size_t i = 0; i < s->list->n; i++) {
        rk_kit *k = &s->list->kit[i];
        if (strcmp(k->shipment, shipment) != 0) continue;
        if (k->state != RK_KIT_SHIPPED && k->state != RK_KIT_RECEIVED && k->state != RK_KIT_STORED)
            continue;
        rk_scan sc = {.kit = k->code,
                      .to = RK_KIT_QUARANTINED,
                      .who = who,
                      .why = why,
                      .when = when,
                      .role = RK_ROLE_ADMIN}; /* a system action: blinded */
        rk_status st = do_scan(s, &sc, "auto-quarantine", 1, err);
        if (st) return st;
        (*n_kits)++;
    }
    return RK_OK;
}

rk_status rk_supply_expire(rk_supply *s, rk_date on, const char *who, rk_time when, size_t *n_kits,
                           rk_error *err)
{
    *n_kits = 0;
    for (size_t i = 0; i < s->list->n; i++) {
        rk_kit *k = &s->list->kit[i];
        if (k->expiry >= on || !(allowed[k->state] & B(RK_KIT_EXPIRED))) continue;
        rk_scan sc = {.kit = k->code,
                      .to = RK_KIT_EXPIRED,
                      .who = who,
                      .why = "past expiry",
                      .when = when,
                      .role = RK_ROLE_ADMIN}; /* a system action: blinded */
        rk_status st = do_scan(s, &sc, "expire", 1, err);
        if (st) return st;
        (*n_kits)++;
    }
    return RK_OK;
}

rk_status rk_supply_replay(rk_supply *s, const rk_supply_record *r, rk_error *err)
{
    rk_status st;
    const char *a = r->action ? r->action : "scan";
    if (!strcmp(a, "release")) {
        st = do_release(s, r->kit, r->who, r->role, r->why, r->when, 0, err);
    } else if (!strcmp(a, "allocate")) {
        rk_date on = (rk_date)(r->when / 86400);
        st = do_allocate(s, nz(r->subject), on, r->who, r->when, r->kit, NULL, 0, err);
    } else {
        rk_scan sc = {.kit = r->kit,
                      .to = r->to,
                      .who = r->who,
                      .where = r->where,
                      .why = r->why,
                      .role = r->role,
                      .when = r->when,
                      .site = r->site,
                      .shipment = r->shipment,
                      .subject = r->subject,
                      .infusion = r->infusion};
        st = do_scan(s, &sc, a, 0, err);
    }
    if (st) {
        char m[RK_ERROR_MSG_MAX];
        snprintf(m, sizeof m, "%s", err ? err->msg : "");
        return rk_error_set(err, st, "journal record %llu does not replay: %s",
                            (unsigned long long)r->seq, m);
    }
    return RK_OK;
}
