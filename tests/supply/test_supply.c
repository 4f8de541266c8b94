/* Tests for src/supply/supply.c and report.c: a full simulated trial from manufacture to
 * administration and reconciliation, every illegal transition, replay, and blinding of the
 * records and messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/supply.h"

/* A sink that keeps deep copies of the records (as the journal/audit chain would). */
typedef struct saved {
    uint64_t seq;
    char kit[16], action[24], who[32], where[32], why[96], site[32], subject[32], shipment[32];
    rk_kit_state from, to;
    rk_role role;
    rk_time when;
    int has_inf;
    rk_infusion inf;
} saved;

typedef struct tape {
    saved rec[2000];
    size_t n;
    int refuse; /* refuse the next record */
} tape;

static rk_status keep(void *ctx, const rk_supply_record *r, rk_error *err)
{
    tape *t = ctx;
    if (t->refuse) {
        t->refuse = 0;
        return rk_error_set(err, RK_EIO, "audit store unavailable");
    }
    saved *s = &t->rec[t->n++];
    memset(s, 0, sizeof *s);
    s->seq = r->seq;
    snprintf(s->kit, sizeof s->kit, "%s", r->kit);
    snprintf(s->action, sizeof s->action, "%s", r->action);
    snprintf(s->who, sizeof s->who, "%s", r->who);
    snprintf(s->where, sizeof s->where, "%s", r->where);
    snprintf(s->why, sizeof s->why, "%s", r->why);
    snprintf(s->site, sizeof s->site, "%s", r->site);
    snprintf(s->subject, sizeof s->subject, "%s", r->subject);
    snprintf(s->shipment, sizeof s->shipment, "%s", r->shipment);
    s->from = r->from;
    s->to = r->to;
    s->role = r->role;
    s->when = r->when;
    if (r->infusion) {
        s->has_inf = 1;
        s->inf = *r->infusion;
    }
    return RK_OK;
}

static rk_time T(const char *s)
{
    rk_time t = 0;
    assert_int_equal(rk_time_parse(s, &t, NULL), RK_OK);
    return t;
}

static rk_date D(const char *s)
{
    rk_date d = 0;
    assert_int_equal(rk_date_parse(s, &d, NULL), RK_OK);
    return d;
}

typedef struct world {
    rk_kitlist *list;
    rk_supply *sup;
    tape *tape;
} world;

/* 60 kits (10 blocks of 2:1 x 2), batches released, every kit packaged. */
static void setup_world(world *w, const char *msc_sterility)
{
    rk_kitlist_spec s;
    memset(&s, 0, sizeof s);
    s.seed = "trial";
    s.n_arms = 2;
    s.arm[0] = "UC-MSC";
    s.arm[1] = "placebo";
    s.ratio[0] = 2;
    s.ratio[1] = 1;
    s.block_mult = 2;
    s.n_blocks = 10;
    s.lot = "PK2001";
    s.expiry = D("2020-04-30");
    s.batch[0] = "MSC-B1";
    s.batch[1] = "PBO-B1";
    assert_int_equal(rk_kitlist_generate(&s, &w->list, NULL), RK_OK);
    w->tape = calloc(1, sizeof *w->tape);
    rk_supply_sink sink = {w->tape, keep};
    assert_int_equal(rk_supply_new(w->list, &sink, &w->sup, NULL), RK_OK);
    rk_batch_release b[2] = {{.batch = "MSC-B1",
                              .viability_trypan = 96.5,
                              .viability_7aad = 93.1,
                              .cd73 = 99.2,
                              .cd90 = 98.7,
                              .cd105 = 97.9,
                              .cd34 = 0.3,
                              .cd45 = 0.5,
                              .cd11b = 0.2,
                              .cd19 = 0.1,
                              .hla_dr = 0.4,
                              .sterile = !strcmp(msc_sterility, "pass") ? 1 : 0},
                             {.batch = "PBO-B1",
                              .placebo = 1,
                              .sterile = 1,
                              .viability_trypan = NAN,
                              .viability_7aad = NAN,
                              .cd73 = NAN,
                              .cd90 = NAN,
                              .cd105 = NAN,
                              .cd34 = NAN,
                              .cd45 = NAN,
                              .cd11b = NAN,
                              .cd19 = NAN,
                              .hla_dr = NAN}};
    assert_int_equal(rk_supply_set_batches(w->sup, b, 2, NULL, NULL), RK_OK);
    for (size_t i = 0; i < w->list->n; i++) {
        rk_scan sc = {.kit = w->list->kit[i].code,
                      .to = RK_KIT_PACKAGED,
                      .who = "packer",
                      .where = "Tianjin",
                      .when = T("2020-03-01T06:00:00Z")};
        assert_int_equal(rk_supply_scan(w->sup, &sc, NULL), RK_OK);
    }
}

static void teardown_world(world *w)
{
    rk_supply_free(w->sup);
    rk_kitlist_free(w->list);
    free(w->tape);
}

static rk_status scan(world *w, const char *code, rk_kit_state to, const char *subject,
                      const char *when, rk_error *err)
{
    rk_scan sc = {.kit = code,
                  .to = to,
                  .who = "nurse1",
                  .where = "Wuhan",
                  .when = T(when),
                  .site = "WUH",
                  .shipment = "SH1",
                  .subject = subject,
                  .why = "test"};
    return rk_supply_scan(w->sup, &sc, err);
}

/* Kits 1..n shipped to WUH in SH1, received and stored. */
static void stock_site(world *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *c = w->list->kit[i].code;
        assert_int_equal(scan(w, c, RK_KIT_SHIPPED, NULL, "2020-03-01T08:00:00Z", NULL), RK_OK);
        assert_int_equal(scan(w, c, RK_KIT_RECEIVED, NULL, "2020-03-01T13:30:00Z", NULL), RK_OK);
        assert_int_equal(scan(w, c, RK_KIT_STORED, NULL, "2020-03-01T13:40:00Z", NULL), RK_OK);
    }
}

static const rk_kit *kit_of(world *w, const char *code)
{
    const rk_kitlist *l = rk_supply_kits(w->sup);
    long k = rk_kitlist_find(l, code);
    assert_true(k >= 0);
    return &l->kit[k];
}

/* The first kit (by number) of `arm` at the site in state stored and not allocated. */
static const char *stored_of_arm(world *w, int arm)
{
    const rk_kitlist *l = rk_supply_kits(w->sup);
    for (size_t i = 0; i < l->n; i++)
        if (l->kit[i].arm == arm && l->kit[i].state == RK_KIT_STORED && !l->kit[i].subject[0])
            return l->kit[i].code;
    fail();
    return NULL;
}

static void assert_no_arm_in(const char *s)
{
    assert_null(strstr(s, "UC-MSC"));
    assert_null(strstr(s, "placebo"));
    assert_null(strstr(s, "MSC-B1"));
    assert_null(strstr(s, "PBO-B1"));
    assert_null(strstr(s, "arm"));
}

static void test_full_trial(void **state)
{
    (void)state;
    world w;
    setup_world(&w, "pass");
    stock_site(&w, 30); /* 20 + 10 kits */
    const char *subj[6] = {"S01", "S02", "S03", "S04", "S05", "S06"};
    int arm[6] = {0, 0, 1, 0, 0, 1};
    for (int i = 0; i < 6; i++)
        assert_int_equal(rk_supply_set_subject(w.sup, subj[i], arm[i], "WUH", NULL), RK_OK);
    const char *day[3] = {"2020-03-02", "2020-03-05", "2020-03-08"};
    for (int v = 0; v < 3; v++)
        for (int i = 0; i < 6; i++) {
            char code[RK_KITCODE_SIZE], t0[32], t1[32];
            snprintf(t0, sizeof t0, "%sT09:00:00Z", day[v]);
            snprintf(t1, sizeof t1, "%sT09:55:00Z", day[v]);
            assert_int_equal(
                rk_supply_allocate(w.sup, subj[i], D(day[v]), "iwrs", T(t0), code, NULL), RK_OK);
            assert_int_equal(kit_of(&w, code)->arm, arm[i]);
            assert_int_equal(scan(&w, code, RK_KIT_DISPENSED, subj[i], t0, NULL), RK_OK);
            rk_infusion inf = {.start = T(t0),
                               .end = T(t1),
                               .temp_c = 36.8,
                               .pulse = 82,
                               .resp_rate = 18,
                               .sbp = 122,
                               .dbp = 78,
                               .spo2 = 96};
            snprintf(inf.reactions, sizeof inf.reactions, "none");
            rk_scan sc = {.kit = code,
                          .to = RK_KIT_ADMINISTERED,
                          .who = "nurse1",
                          .where = "Wuhan",
                          .when = T(t1),
                          .subject = subj[i],
                          .infusion = &inf};
            assert_int_equal(rk_supply_scan(w.sup, &sc, NULL), RK_OK);
        }
    /* 60 packaged + 90 ship/receive/store + 18 x (allocate, dispense, administer) */
    assert_int_equal(rk_supply_seq(w.sup), 60 + 90 + 54);
    assert_int_equal(w.tape->n, 60 + 90 + 54);
    rk_reconciliation r;
    assert_int_equal(rk_supply_reconcile(w.sup, "WUH", &r, NULL), RK_OK);
    assert_int_equal(r.received, 30);
    assert_int_equal(r.administered, 18);
    assert_int_equal(r.stored, 12);
    assert_true(r.balanced);
    rk_site_inventory *inv = NULL;
    size_t ns = 0;
    assert_int_equal(rk_supply_inventory(w.sup, D("2020-03-09"), &inv, &ns, NULL), RK_OK);
    assert_int_equal(ns, 2);
    assert_string_equal(inv[0].site, "");
    assert_int_equal(inv[0].count[RK_KIT_PACKAGED], 30);
    assert_string_equal(inv[1].site, "WUH");
    assert_int_equal(inv[1].count[RK_KIT_ADMINISTERED], 18);
    assert_int_equal(inv[1].usable, 12);
    free(inv);
    /* resupply: 2 kits left of arm 0, 4 of arm 1 (20-12, 10-6 -> 8 and 4); trigger 6 buffer 10 */
    char(*codes)[RK_KITCODE_SIZE] = NULL;
    size_t nc = 0;
    assert_int_equal(rk_supply_resupply(w.sup, "WUH", D("2020-03-09"), 6, 10, 7, &codes, &nc, NULL),
                     RK_OK);
    size_t per[2] = {0, 0};
    for (size_t i = 0; i < nc; i++)
        per[kit_of(&w, codes[i])->arm]++;
    /* arm 1 is below the trigger (4 < 6): a shipment of 10 kits of EVERY arm, the same size and
     * make-up whichever arm ran low (before: 6 kits, all of arm 1, which a blinded administrator
     * could match to the allocations) */
    assert_int_equal(per[0], 10);
    assert_int_equal(per[1], 10);
    for (size_t i = 1; i < nc; i++) /* kit-number order, not arm order */
        assert_true(kit_of(&w, codes[i - 1])->number < kit_of(&w, codes[i])->number);
    free(codes);
    size_t usable[RK_SUPPLY_MAX_ARMS], depot[RK_SUPPLY_MAX_ARMS];
    assert_int_equal(
        rk_supply_resupply_detail(w.sup, "WUH", D("2020-03-09"), 7, usable, depot, NULL), RK_OK);
    assert_int_equal(usable[0], 8);
    assert_int_equal(usable[1], 4);
    /* no arm below the trigger: nothing, whatever the buffer */
    assert_int_equal(rk_supply_resupply(w.sup, "WUH", D("2020-03-09"), 4, 10, 7, &codes, &nc, NULL),
                     RK_OK);
    assert_int_equal(nc, 0);
    free(codes);
    /* the depot is short of one arm: the same smaller number of every arm */
    size_t most = depot[0] < depot[1] ? depot[0] : depot[1];
    assert_int_equal(
        rk_supply_resupply(w.sup, "WUH", D("2020-03-09"), 6, 1000, 7, &codes, &nc, NULL), RK_OK);
    per[0] = per[1] = 0;
    for (size_t i = 0; i < nc; i++)
        per[kit_of(&w, codes[i])->arm]++;
    assert_int_equal(per[0], most);
    assert_int_equal(per[1], most);
    free(codes);
    /* the rest is returned at close-out: every kit accounted for */
    const rk_kitlist *l = rk_supply_kits(w.sup);
    for (size_t i = 0; i < 30; i++)
        if (l->kit[i].state == RK_KIT_STORED)
            assert_int_equal(
                scan(&w, l->kit[i].code, RK_KIT_RETURNED, NULL, "2020-04-01T10:00:00Z", NULL),
                RK_OK);
    assert_int_equal(rk_supply_reconcile(w.sup, "WUH", &r, NULL), RK_OK);
    assert_int_equal(r.returned, 12);
    assert_int_equal(r.stored, 0);
    assert_true(r.balanced);
    /* records carry who, where, when and why */
    assert_string_equal(w.tape->rec[0].who, "packer");
    assert_string_equal(w.tape->rec[0].where, "Tianjin");
    assert_int_equal(w.tape->rec[0].when, T("2020-03-01T06:00:00Z"));
    assert_string_equal(w.tape->rec[0].action, "scan");
    assert_int_equal(w.tape->rec[0].from, RK_KIT_PREPARED);
    assert_int_equal(w.tape->rec[0].to, RK_KIT_PACKAGED);
    assert_string_equal(w.tape->rec[w.tape->n - 1].why, "test");
    /* no record carries the arm or the batch */
    for (size_t i = 0; i < w.tape->n; i++) {
        char line[512];
        const saved *s = &w.tape->rec[i];
        snprintf(line, sizeof line, "%s %s %s %s %s %s %s %s", s->kit, s->action, s->who, s->where,
                 s->why, s->site, s->subject, s->shipment);
        assert_no_arm_in(line);
        assert_int_equal(s->seq, i + 1);
    }
    /* replay into a fresh state gives the same states */
    rk_supply *again = NULL;
    assert_int_equal(rk_supply_new(w.list, NULL, &again, NULL), RK_OK);
    rk_batch_release b[2] = {{.batch = "MSC-B1",
                              .viability_trypan = 96.5,
                              .viability_7aad = 93.1,
                              .cd73 = 99.2,
                              .cd90 = 98.7,
                              .cd105 = 97.9,
                              .cd34 = 0.3,
                              .cd45 = 0.5,
                              .cd11b = 0.2,
                              .cd19 = 0.1,
                              .hla_dr = 0.4,
                              .sterile = 1},
                             {.batch = "PBO-B1", .placebo = 1, .sterile = 1}};
    assert_int_equal(rk_supply_set_batches(again, b, 2, NULL, NULL), RK_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(rk_supply_set_subject(again, subj[i], arm[i], "WUH", NULL), RK_OK);
    for (size_t i = 0; i < w.tape->n; i++) {
        const saved *s = &w.tape->rec[i];
        rk_supply_record rec = {.seq = s->seq,
                                .kit = s->kit,
                                .from = s->from,
                                .to = s->to,
                                .action = s->action,
                                .who = s->who,
                                .where = s->where,
                                .why = s->why,
                                .role = s->role,
                                .when = s->when,
                                .site = s->site,
                                .subject = s->subject,
                                .shipment = s->shipment,
                                .infusion = s->has_inf ? &s->inf : NULL};
        rk_error err;
        if (rk_supply_replay(again, &rec, &err) != RK_OK) fail_msg("%s", err.msg);
    }
    for (size_t i = 0; i < l->n; i++) {
        assert_int_equal(rk_supply_kits(again)->kit[i].state, l->kit[i].state);
        assert_string_equal(rk_supply_kits(again)->kit[i].subject, l->kit[i].subject);
    }
    rk_supply_free(again);
    teardown_world(&w);
}

/* Random allocation (the trial store's mode): lowest-first let a blinded investigator, who sees
 * kit numbers and which subject has which kit, group subjects by arm (a stored kit passed over for
 * a higher number is of the other arm).  Each allocated kit is still a usable kit of the subject's
 * arm at the site; the picks are not the lowest-first sequence (probability of that by chance
 * < 1e-10); a replay follows the recorded kits. */
static void test_random_allocation(void **state)
{
    (void)state;
    world w;
    setup_world(&w, "pass");
    stock_site(&w, 30); /* 20 kits of arm 0 among the first 30 (2:1 blocks) */
    rk_supply_set_random_allocation(w.sup, 1);
    const rk_kitlist *l = rk_supply_kits(w.sup);
    size_t lowest[10], n_low = 0;
    for (size_t i = 0; i < 30 && n_low < 10; i++)
        if (l->kit[i].arm == 0) lowest[n_low++] = i;
    assert_int_equal(n_low, 10);
    int same_as_lowest = 1;
    char subj[10][8];
    for (int i = 0; i < 10; i++) {
        snprintf(subj[i], sizeof subj[i], "R%02d", i);
        assert_int_equal(rk_supply_set_subject(w.sup, subj[i], 0, "WUH", NULL), RK_OK);
        char code[RK_KITCODE_SIZE];
        assert_int_equal(rk_supply_allocate(w.sup, subj[i], D("2020-03-02"), "iwrs",
                                            T("2020-03-02T08:00:00Z"), code, NULL),
                         RK_OK);
        long k = rk_kitlist_find(l, code);
        assert_true(k >= 0 && k < 30);
        assert_int_equal(l->kit[k].arm, 0);
        assert_int_equal(l->kit[k].state, RK_KIT_STORED);
        assert_string_equal(l->kit[k].subject, subj[i]);
        if ((size_t)k != lowest[i]) same_as_lowest = 0;
    }
    assert_false(same_as_lowest);
    /* replay into a fresh (lowest-first) state: the recorded kits, not its own choice */
    rk_supply *again = NULL;
    assert_int_equal(rk_supply_new(w.list, NULL, &again, NULL), RK_OK);
    rk_batch_release b[2] = {{.batch = "MSC-B1",
                              .viability_trypan = 96.5,
                              .viability_7aad = 93.1,
                              .cd73 = 99.2,
                              .cd90 = 98.7,
                              .cd105 = 97.9,
                              .cd34 = 0.3,
                              .cd45 = 0.5,
                              .cd11b = 0.2,
                              .cd19 = 0.1,
                              .hla_dr = 0.4,
                              .sterile = 1},
                             {.batch = "PBO-B1", .placebo = 1, .sterile = 1}};
    assert_int_equal(rk_supply_set_batches(again, b, 2, NULL, NULL), RK_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(rk_supply_set_subject(again, subj[i], 0, "WUH", NULL), RK_OK);
    for (size_t i = 0; i < w.tape->n; i++) {
        const saved *r = &w.tape->rec[i];
        rk_supply_record rec = {.seq = r->seq,
                                .kit = r->kit,
                                .from = r->from,
                                .to = r->to,
                                .action = r->action,
                                .who = r->who,
                                .where = r->where,
                                .why = r->why,
                                .role = r->role,
                                .when = r->when,
                                .site = r->site,
                                .subject = r->subject,
                                .shipment = r->shipment};
        rk_error err;
        if (rk_supply_replay(again, &rec, &err) != RK_OK) fail_msg("%s", err.msg);
    }
    for (size_t i = 0; i < l->n; i++)
        assert_string_equal(rk_supply_kits(again)->kit[i].subject, l->kit[i].subject);
    rk_supply_free(again);
    teardown_world(&w);
}

static void test_illegal_transitions(void **state)
{
    (void)state;
    world w;
    setup_world(&w, "pass");
    stock_site(&w, 12);
    rk_error err;
    char msg[600];
    const rk_kitlist *l = rk_supply_kits(w.sup);
    assert_int_equal(rk_supply_set_subject(w.sup, "S01", 0, "WUH", NULL), RK_OK);
    assert_int_equal(rk_supply_set_subject(w.sup, "S02", 0, "WUH", NULL), RK_OK);
    size_t before = w.tape->n;

    /* receiving twice */
    const char *k0 = l->kit[0].code;
    assert_int_equal(scan(&w, k0, RK_KIT_RECEIVED, NULL, "2020-03-01T14:00:00Z", &err), RK_ESTATE);
    snprintf(msg, sizeof msg,
             "kit %s was already received (now stored at WUH): do not receive it again; if you "
             "hold two kits with this code, quarantine both and call the depot",
             k0);
    assert_string_equal(err.msg, msg);
    /* receiving a kit never shipped */
    const char *k59 = l->kit[59].code;
    assert_int_equal(scan(&w, k59, RK_KIT_RECEIVED, NULL, "2020-03-01T14:00:00Z", &err), RK_ESTATE);
    snprintf(msg, sizeof msg,
             "kit %s was never shipped (it is packaged): do not receive it; set it aside and call "
             "the depot",
             k59);
    assert_string_equal(err.msg, msg);

    /* dispensing without an allocation, the wrong arm, a same-arm kit not allocated */
    char alloc[RK_KITCODE_SIZE];
    const char *other_arm = stored_of_arm(&w, 1);
    assert_int_equal(scan(&w, other_arm, RK_KIT_DISPENSED, "S01", "2020-03-02T09:00:00Z", &err),
                     RK_ESTATE);
    assert_string_equal(err.msg, "subject S01 has no kit allocated for this visit: allocate one "
                                 "first, then scan the allocated kit");
    assert_int_equal(rk_supply_allocate(w.sup, "S01", D("2020-03-02"), "iwrs",
                                        T("2020-03-02T08:59:00Z"), alloc, NULL),
                     RK_OK);
    before = w.tape->n;
    assert_int_equal(scan(&w, other_arm, RK_KIT_DISPENSED, "S01", "2020-03-02T09:00:00Z", &err),
                     RK_ESTATE);
    char wrong_arm[600];
    snprintf(wrong_arm, sizeof wrong_arm, "%s", err.msg);
    snprintf(msg, sizeof msg,
             "kit %s is not the kit allocated to subject S01: put it back in storage and "
             "dispense kit %s",
             other_arm, alloc);
    assert_string_equal(err.msg, msg);
    const char *same_arm = stored_of_arm(&w, 0);
    assert_int_equal(scan(&w, same_arm, RK_KIT_DISPENSED, "S01", "2020-03-02T09:00:00Z", &err),
                     RK_ESTATE);
    /* the two refusals differ only in the scanned code: the arm is not revealed */
    snprintf(msg, sizeof msg,
             "kit %s is not the kit allocated to subject S01: put it back in storage and "
             "dispense kit %s",
             same_arm, alloc);
    assert_string_equal(err.msg, msg);
    assert_no_arm_in(wrong_arm);
    /* the allocated kit to the wrong subject */
    assert_int_equal(scan(&w, alloc, RK_KIT_DISPENSED, "S02", "2020-03-02T09:00:00Z", &err),
                     RK_ESTATE);
    assert_string_equal(err.msg, "subject S02 has no kit allocated for this visit: allocate one "
                                 "first, then scan the allocated kit");
    assert_int_equal(w.tape->n, before); /* refusals leave no record */
    assert_int_equal(kit_of(&w, alloc)->state, RK_KIT_STORED);
    /* right kit, right subject; then administering to another subject */
    assert_int_equal(scan(&w, alloc, RK_KIT_DISPENSED, "S01", "2020-03-02T09:00:00Z", NULL), RK_OK);
    assert_int_equal(scan(&w, alloc, RK_KIT_ADMINISTERED, "S02", "2020-03-02T09:10:00Z", &err),
                     RK_ESTATE);
    snprintf(msg, sizeof msg,
             "kit %s was dispensed to subject S01, not S02: do not infuse it; check the "
             "subject's identity and the kit label",
             alloc);
    assert_string_equal(err.msg, msg);

    /* quarantined kit cannot be dispensed; release needs an unblinded role and a reason */
    const char *q = stored_of_arm(&w, 0);
    assert_int_equal(scan(&w, q, RK_KIT_QUARANTINED, NULL, "2020-03-02T10:00:00Z", NULL), RK_OK);
    assert_int_equal(rk_supply_allocate(w.sup, "S02", D("2020-03-02"), "iwrs",
                                        T("2020-03-02T10:01:00Z"), alloc, NULL),
                     RK_OK);
    assert_string_not_equal(alloc, q); /* quarantined kits are never allocated */
    assert_int_equal(scan(&w, q, RK_KIT_DISPENSED, "S02", "2020-03-02T10:02:00Z", &err), RK_ESTATE);
    snprintf(msg, sizeof msg,
             "kit %s is quarantined (test): do not dispense it; keep it apart at 8-12 C until an "
             "unblinded user reviews it, and dispense the kit the system allocates instead",
             q);
    assert_string_equal(err.msg, msg);
    assert_int_equal(rk_supply_release(w.sup, q, "nurse1", RK_ROLE_INVESTIGATOR, "looks fine",
                                       T("2020-03-02T11:00:00Z"), &err),
                     RK_ESTATE);
    snprintf(
        msg, sizeof msg,
        "kit %s: releasing a kit from quarantine needs an unblinded role; ask the pharmacist or "
        "the unblinded statistician",
        q);
    assert_string_equal(err.msg, msg);
    assert_int_equal(rk_supply_release(w.sup, q, "pharm", RK_ROLE_PHARMACIST, "",
                                       T("2020-03-02T11:00:00Z"), &err),
                     RK_EINVAL);
    assert_int_equal(rk_supply_release(w.sup, q, "pharm", RK_ROLE_PHARMACIST,
                                       "logger data reviewed: within range",
                                       T("2020-03-02T11:00:00Z"), NULL),
                     RK_OK);
    assert_int_equal(kit_of(&w, q)->state, RK_KIT_STORED);

    /* a final state goes nowhere; a generic refusal lists what is allowed */
    assert_int_equal(
        scan(&w, l->kit[0].code, RK_KIT_ADMINISTERED, "S01", "2020-03-02T09:00:00Z", &err),
        RK_ESTATE);
    const char *x = l->kit[40].code;
    assert_int_equal(scan(&w, x, RK_KIT_STORED, NULL, "2020-03-02T09:00:00Z", &err), RK_ESTATE);
    snprintf(msg, sizeof msg,
             "kit %s is packaged; it cannot become stored (allowed: shipped, quarantined, damaged, "
             "expired, lost, destroyed)",
             x);
    assert_string_equal(err.msg, msg);
    /* receiving at the wrong site */
    rk_scan sc = {.kit = x,
                  .to = RK_KIT_SHIPPED,
                  .who = "d",
                  .site = "WUH",
                  .shipment = "SH2",
                  .when = T("2020-03-03T08:00:00Z")};
    assert_int_equal(rk_supply_scan(w.sup, &sc, NULL), RK_OK);
    sc.to = RK_KIT_RECEIVED;
    sc.site = "BJ";
    assert_int_equal(rk_supply_scan(w.sup, &sc, &err), RK_ESTATE);
    snprintf(msg, sizeof msg,
             "kit %s was shipped to site WUH, not BJ: do not receive it; keep it at 8-12 C and "
             "call the depot",
             x);
    assert_string_equal(err.msg, msg);
    /* codes: mistyped, unknown */
    assert_int_equal(scan(&w, "8CBR73MT7", RK_KIT_STORED, NULL, "2020-03-02T09:00:00Z", &err),
                     RK_EINVAL);
    assert_string_equal(err.msg, "'8CBR73MT7' is not a valid kit code (length or check symbol "
                                 "wrong): scan the label again or retype the code");
    assert_int_equal(scan(&w, "8CBR73MT6", RK_KIT_STORED, NULL, "2020-03-02T09:00:00Z", &err),
                     RK_EINVAL);
    assert_string_equal(err.msg, "kit 8CBR73MT6 is not in this trial's kit list: do not use it; "
                                 "set it aside and call the depot");
    /* reasons are required for quarantine/damage */
    rk_scan nq = {.kit = l->kit[41].code,
                  .to = RK_KIT_DAMAGED,
                  .who = "d",
                  .when = T("2020-03-03T08:00:00Z")};
    assert_int_equal(rk_supply_scan(w.sup, &nq, &err), RK_EINVAL);
    snprintf(msg, sizeof msg, "kit %s: say why it is damaged (--why TEXT)", l->kit[41].code);
    assert_string_equal(err.msg, msg);
    /* implausible vital signs are refused before anything is recorded */
    {
        char a2[RK_KITCODE_SIZE];
        assert_int_equal(rk_supply_allocate(w.sup, "S01", D("2020-03-05"), "iwrs",
                                            T("2020-03-05T08:00:00Z"), a2, NULL),
                         RK_OK);
        assert_int_equal(scan(&w, a2, RK_KIT_DISPENSED, "S01", "2020-03-05T08:01:00Z", NULL),
                         RK_OK);
        rk_infusion inf = {.start = T("2020-03-05T08:05:00Z"),
                           .end = T("2020-03-05T09:00:00Z"),
                           .temp_c = 3.68,
                           .pulse = 80,
                           .resp_rate = 18,
                           .sbp = 120,
                           .dbp = 80,
                           .spo2 = NAN};
        rk_scan ad = {.kit = a2,
                      .to = RK_KIT_ADMINISTERED,
                      .who = "n",
                      .subject = "S01",
                      .when = T("2020-03-05T09:05:00Z"),
                      .infusion = &inf};
        assert_int_equal(rk_supply_scan(w.sup, &ad, &err), RK_EINVAL);
        snprintf(msg, sizeof msg,
                 "kit %s: temperature (C) 3.68 is outside the plausible 30-45: check the entry "
                 "(NA if not measured)",
                 a2);
        assert_string_equal(err.msg, msg);
        inf.temp_c = 36.8;
        inf.end = inf.start - 60;
        assert_int_equal(rk_supply_scan(w.sup, &ad, &err), RK_EINVAL);
        inf.end = inf.start + 3300;
        size_t n0 = w.tape->n;
        assert_int_equal(rk_supply_scan(w.sup, &ad, NULL), RK_OK);
        const saved *rec = &w.tape->rec[n0];
        assert_int_equal(rec->has_inf, 1);
        assert_true(rec->inf.temp_c == 36.8 && isnan(rec->inf.spo2));
        assert_string_equal(rec->who, "n");
        assert_string_equal(rec->subject, "S01");
        assert_int_equal(rec->when, T("2020-03-05T09:05:00Z"));
    }
    /* the sink refuses: nothing changes */
    w.tape->refuse = 1;
    nq.why = "bag torn";
    assert_int_equal(rk_supply_scan(w.sup, &nq, &err), RK_EIO);
    assert_string_equal(err.msg, "audit store unavailable");
    assert_int_equal(kit_of(&w, l->kit[41].code)->state, RK_KIT_PACKAGED);
    assert_int_equal(rk_supply_scan(w.sup, &nq, NULL), RK_OK);
    assert_int_equal(kit_of(&w, l->kit[41].code)->state, RK_KIT_DAMAGED);
    /* expired kit */
    const char *e = stored_of_arm(&w, 1);
    assert_int_equal(scan(&w, e, RK_KIT_DISPENSED, "S02", "2020-05-02T09:00:00Z", &err), RK_ESTATE);
    snprintf(msg, sizeof msg,
             "kit %s expired on 2020-04-30: do not dispense it; record it as expired, return it, "
             "and allocate a new kit for the subject",
             e);
    assert_string_equal(err.msg, msg);
    assert_int_equal(scan(&w, e, RK_KIT_EXPIRED, NULL, "2020-04-01T09:00:00Z", &err), RK_ESTATE);
    size_t nexp = 0;
    assert_int_equal(
        rk_supply_expire(w.sup, D("2020-05-01"), "system", T("2020-05-01T00:00:00Z"), &nexp, NULL),
        RK_OK);
    assert_true(nexp > 0);
    assert_int_equal(kit_of(&w, e)->state, RK_KIT_EXPIRED);
    assert_int_equal(scan(&w, e, RK_KIT_DISPENSED, "S02", "2020-05-02T09:00:00Z", &err), RK_ESTATE);
    assert_string_equal(err.msg, msg);

    teardown_world(&w);
}

static void test_failed_batch_cannot_ship(void **state)
{
    (void)state;
    world w;
    setup_world(&w, "fail");
    rk_error err;
    const rk_kitlist *l = rk_supply_kits(w.sup);
    /* One arm's batch fails. Refusing only that batch's kits would sort the kits by arm for the
     * blinded courier, so every kit is refused with the same message, whatever its arm. */
    size_t refused[2] = {0, 0};
    for (size_t i = 0; i < 12; i++) {
        rk_status st = scan(&w, l->kit[i].code, RK_KIT_SHIPPED, NULL, "2020-03-01T08:00:00Z", &err);
        assert_int_equal(st, RK_ESTATE);
        char msg[400];
        snprintf(msg, sizeof msg,
                 "kit %s cannot be shipped: a manufacturing batch of the kit list is not released "
                 "(release data missing or failing), so no kit ships; keep them at the depot; the "
                 "unblinded pharmacist sees the reason in the batch report",
                 l->kit[i].code);
        assert_string_equal(err.msg, msg);
        refused[l->kit[i].arm]++;
    }
    assert_int_equal(refused[0], 8);
    assert_int_equal(refused[1], 4);
    teardown_world(&w);
}

static void test_shipment_auto_quarantine(void **state)
{
    (void)state;
    world w;
    setup_world(&w, "pass");
    stock_site(&w, 6);
    size_t n = 0;
    assert_int_equal(rk_supply_quarantine_shipment(w.sup, "SH1", "logger", "excursion 13.9 C",
                                                   T("2020-03-01T14:00:00Z"), &n, NULL),
                     RK_OK);
    assert_int_equal(n, 6);
    const rk_kitlist *l = rk_supply_kits(w.sup);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(l->kit[i].state, RK_KIT_QUARANTINED);
        assert_string_equal(l->kit[i].note, "excursion 13.9 C");
    }
    assert_string_equal(w.tape->rec[w.tape->n - 1].action, "auto-quarantine");
    teardown_world(&w);
}

static void test_batch_release_messages(void **state)
{
    (void)state;
    rk_batch_release b = {.batch = "MSC-B7",
                          .viability_trypan = 91,
                          .viability_7aad = 78.5,
                          .cd73 = 94.1,
                          .cd90 = 99,
                          .cd105 = 97,
                          .cd34 = 0.2,
                          .cd45 = 2.0,
                          .cd11b = 0.1,
                          .cd19 = NAN,
                          .hla_dr = 0.3,
                          .sterile = -1};
    rk_error err;
    assert_int_equal(rk_batch_check(&b, NULL, &err), RK_ESTATE);
    assert_string_equal(err.msg, "batch MSC-B7 fails release: sterility result pending; viability "
                                 "(7-AAD/Annexin V) 78.5% is not >= 80%; CD73 94.1% is not > 95%; "
                                 "CD45 2.0% is not < 2%; CD19 not measured; it cannot be shipped");
    b.viability_7aad = 88;
    b.cd73 = 95.5;
    b.cd45 = 1.9;
    b.cd19 = 0.1;
    b.sterile = 1;
    assert_int_equal(rk_batch_check(&b, NULL, &err), RK_OK);
}

/* Every (from, to) pair: a scan is accepted exactly when the pair is in this table (transcribed
 * from docs/supply.md, independently of supply.c), with every other condition satisfied. */
static const char *const expect_to[RK_KIT_NSTATES] = {
    [RK_KIT_PREPARED] = "packaged quarantined damaged expired lost destroyed",
    [RK_KIT_PACKAGED] = "shipped quarantined damaged expired lost destroyed",
    [RK_KIT_SHIPPED] = "received quarantined damaged lost",
    [RK_KIT_RECEIVED] = "stored quarantined damaged expired lost returned",
    [RK_KIT_STORED] = "dispensed quarantined damaged expired lost returned",
    [RK_KIT_DISPENSED] = "administered quarantined damaged lost returned",
    [RK_KIT_ADMINISTERED] = "",
    [RK_KIT_QUARANTINED] = "damaged expired lost returned destroyed",
    [RK_KIT_DAMAGED] = "returned destroyed",
    [RK_KIT_EXPIRED] = "returned destroyed",
    [RK_KIT_LOST] = "",
    [RK_KIT_RETURNED] = "destroyed",
    [RK_KIT_DESTROYED] = "",
};

static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
    return 0;
}

static rk_status step(rk_supply *s, const char *code, rk_kit_state to, const char *when,
                      rk_error *err)
{
    rk_scan sc = {.kit = code,
                  .to = to,
                  .who = "u",
                  .when = T(when),
                  .site = "WUH",
                  .shipment = "SH1",
                  .subject = "S01",
                  .why = "r"};
    rk_infusion inf;
    rk_infusion_init(&inf);
    inf.start = T(when);
    inf.end = inf.start + 3000;
    if (to == RK_KIT_ADMINISTERED) sc.infusion = &inf;
    if (to == RK_KIT_DISPENSED && rk_supply_kits(s)->kit[0].state == RK_KIT_STORED &&
        !rk_supply_kits(s)->kit[0].subject[0]) {
        rk_status st =
            rk_supply_allocate(s, "S01", (rk_date)(T(when) / 86400), "iwrs", T(when), NULL, err);
        if (st) return st;
    }
    return rk_supply_scan(s, &sc, err);
}

static void test_transition_matrix(void **state)
{
    (void)state;
    static const rk_kit_state path[RK_KIT_NSTATES][6] = {
        [RK_KIT_PREPARED] = {RK_KIT_NSTATES},
        [RK_KIT_PACKAGED] = {RK_KIT_PACKAGED, RK_KIT_NSTATES},
        [RK_KIT_SHIPPED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_NSTATES},
        [RK_KIT_RECEIVED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_NSTATES},
        [RK_KIT_STORED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                           RK_KIT_NSTATES},
        [RK_KIT_DISPENSED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                              RK_KIT_DISPENSED, RK_KIT_NSTATES},
        [RK_KIT_ADMINISTERED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                                 RK_KIT_DISPENSED, RK_KIT_ADMINISTERED},
        [RK_KIT_QUARANTINED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                                RK_KIT_QUARANTINED, RK_KIT_NSTATES},
        [RK_KIT_DAMAGED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                            RK_KIT_DAMAGED, RK_KIT_NSTATES},
        [RK_KIT_EXPIRED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                            RK_KIT_EXPIRED, RK_KIT_NSTATES},
        [RK_KIT_LOST] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_LOST, RK_KIT_NSTATES},
        [RK_KIT_RETURNED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                             RK_KIT_RETURNED, RK_KIT_NSTATES},
        [RK_KIT_DESTROYED] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED, RK_KIT_STORED,
                              RK_KIT_RETURNED, RK_KIT_DESTROYED},
    };
    rk_kitlist_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.seed = "matrix";
    sp.n_arms = 2;
    sp.arm[0] = "A";
    sp.arm[1] = "B";
    sp.ratio[0] = sp.ratio[1] = 1;
    sp.n_blocks = 1;
    sp.lot = "L";
    sp.expiry = D("2020-04-30");
    sp.batch[0] = "BA";
    sp.batch[1] = "BB";
    rk_kitlist *l = NULL;
    assert_int_equal(rk_kitlist_generate(&sp, &l, NULL), RK_OK);
    rk_batch_release b[2] = {{.batch = "BA", .placebo = 1, .sterile = 1},
                             {.batch = "BB", .placebo = 1, .sterile = 1}};
    size_t accepted = 0;
    for (int from = 0; from < RK_KIT_NSTATES; from++)
        for (int to = 0; to < RK_KIT_NSTATES; to++) {
            rk_supply *s = NULL;
            rk_error err;
            assert_int_equal(rk_supply_new(l, NULL, &s, NULL), RK_OK);
            assert_int_equal(rk_supply_set_batches(s, b, 2, NULL, NULL), RK_OK);
            assert_int_equal(rk_supply_set_subject(s, "S01", l->kit[0].arm, "WUH", NULL), RK_OK);
            const char *code = l->kit[0].code;
            for (int i = 0; i < 6 && path[from][i] != RK_KIT_NSTATES; i++) {
                const char *w = path[from][i] == RK_KIT_EXPIRED ? "2020-05-05T10:00:00Z"
                                                                : "2020-03-02T10:00:00Z";
                if (step(s, code, path[from][i], w, &err) != RK_OK)
                    fail_msg("path to %s: %s", rk_kit_state_name(from), err.msg);
            }
            assert_int_equal(rk_supply_kits(s)->kit[0].state, from);
            const char *w = to == RK_KIT_EXPIRED ? "2020-05-05T11:00:00Z" : "2020-03-02T11:00:00Z";
            rk_status st = step(s, code, (rk_kit_state)to, w, &err);
            int want = in_list(expect_to[from], rk_kit_state_name((rk_kit_state)to));
            if ((st == RK_OK) != want)
                fail_msg("%s -> %s: %s (%s)", rk_kit_state_name(from),
                         rk_kit_state_name((rk_kit_state)to), st ? "refused" : "accepted",
                         st ? err.msg : "");
            if (st == RK_OK) {
                accepted++;
                assert_int_equal(rk_supply_kits(s)->kit[0].state, to);
            } else {
                assert_int_equal(rk_supply_kits(s)->kit[0].state, from);
                assert_true(strlen(err.msg) > 20);
            }
            rk_supply_free(s);
        }
    assert_int_equal(accepted, 43);
    rk_kitlist_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_trial),
        cmocka_unit_test(test_random_allocation),
        cmocka_unit_test(test_illegal_transitions),
        cmocka_unit_test(test_failed_batch_cannot_ship),
        cmocka_unit_test(test_shipment_auto_quarantine),
        cmocka_unit_test(test_batch_release_messages),
        cmocka_unit_test(test_transition_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
