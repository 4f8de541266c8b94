/* rctkit supply: blinded kit lists and codes, GS1 labels, batch release, the kit state machine
 * with its transition records, cold-chain logger import, the visit schedule and supply reports.
 *
 * Blinding: everything a blinded user sees (kit codes, labels, transition records, inventory by
 * state, messages) carries no arm.  The kit -> arm link lives only in rk_kit.arm and is printed
 * only by functions whose name says "unblinded".
 *
 * Persistence: the library keeps no files.  Every transition is first handed to an
 * rk_supply_sink (a struct of function pointers); only when the sink accepts it does the kit
 * change state.  The store/audit-chain module plugs in there; the CLI uses a JSON-lines journal.
 */
#ifndef RCTKIT_SUPPLY_H
#define RCTKIT_SUPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/core.h"
#include "rctkit/store.h" /* rk_role: the roles of the randomization server */

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ time */
/* Times are seconds since 1970-01-01T00:00:00Z (UTC); dates are days since 1970-01-01. */
typedef int64_t rk_time;
typedef int32_t rk_date;

/* "YYYY-MM-DD" -> days.  Anything else (or an impossible date) is RK_EPARSE. */
rk_status rk_date_parse(const char *s, rk_date *out, rk_error *err);
/* "YYYY-MM-DDTHH:MM[:SS][Z]" or with a space for 'T' -> seconds (UTC; no other offsets). */
rk_status rk_time_parse(const char *s, rk_time *out, rk_error *err);
/* Format as "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SSZ" into buf (size >= 11 / 21). */
void rk_date_format(rk_date d, char *buf, size_t size);
void rk_time_format(rk_time t, char *buf, size_t size);

/* ------------------------------------------------------------- kit codes */
/* Kit codes: RK_KITCODE_LEN random symbols from the 30-symbol alphabet RK_KITCODE_ALPHABET (no
 * 0/O, 1/I, 5/S: confusable when printed small or read aloud) followed by one check
 * symbol from the ISO/IEC 7064 hybrid construction with M = 30 ("MOD 31,30", M + 1 prime, the
 * same recurrence as the standard's MOD 37,36), which detects every single-symbol substitution
 * (tests/supply/test_kitcode.c checks it exhaustively, and measures transpositions). */
#define RK_KITCODE_ALPHABET "2346789ABCDEFGHJKLMNPQRTUVWXYZ"
#define RK_KITCODE_RADIX 30
#define RK_KITCODE_LEN 8
#define RK_KITCODE_SIZE (RK_KITCODE_LEN + 2) /* with check symbol and NUL */

/* Check symbol for the RK_KITCODE_LEN-symbol body; RK_EINVAL on a symbol not in the alphabet. */
rk_status rk_kitcode_check(const char *body, char *check, rk_error *err);
/* 1 when `code` is a well-formed code whose check symbol is right. */
int rk_kitcode_valid(const char *code);

/* ------------------------------------------------------------- kit lists */
#define RK_SUPPLY_MAX_ARMS 8
#define RK_SUPPLY_ID 32 /* size of identifier fields (site, subject, lot ...) with NUL */

typedef enum rk_kit_state {
    RK_KIT_PREPARED = 0,
    RK_KIT_PACKAGED,
    RK_KIT_SHIPPED,
    RK_KIT_RECEIVED,
    RK_KIT_STORED,
    RK_KIT_DISPENSED,
    RK_KIT_ADMINISTERED,
    RK_KIT_QUARANTINED,
    RK_KIT_DAMAGED,
    RK_KIT_EXPIRED,
    RK_KIT_LOST,
    RK_KIT_RETURNED,
    RK_KIT_DESTROYED,
    RK_KIT_NSTATES
} rk_kit_state;

/* "prepared" ... "destroyed"; "?" out of range. */
const char *rk_kit_state_name(rk_kit_state s);
/* Name -> state; RK_EINVAL listing the names. */
rk_status rk_kit_state_parse(const char *name, rk_kit_state *out, rk_error *err);

typedef struct rk_kit {
    uint32_t number;            /* 1-based position in the kit list (blinded) */
    char code[RK_KITCODE_SIZE]; /* random code with check symbol (blinded) */
    char lot[RK_SUPPLY_ID];     /* packaging lot, shared by both arms (blinded) */
    rk_date expiry;             /* label expiry, the same for the whole lot (blinded) */
    int arm;                    /* index into the list's arms: UNBLINDED */
    char batch[RK_SUPPLY_ID];   /* manufacturing batch, arm-specific: UNBLINDED */
    /* tracking state */
    rk_kit_state state;
    rk_kit_state held_from;      /* state before quarantine (valid while quarantined) */
    char site[RK_SUPPLY_ID];     /* where it is ("" at the depot) */
    char shipment[RK_SUPPLY_ID]; /* last shipment it travelled in */
    char subject[RK_SUPPLY_ID];  /* subject it is allocated/dispensed to ("" if none) */
    char note[96];               /* last reason for quarantine/damage etc. */
} rk_kit;

typedef struct rk_kitlist_spec {
    const char *seed; /* secret seed text (kept by the unblinded statistician) */
    size_t n_arms;    /* 2..RK_SUPPLY_MAX_ARMS */
    const char *arm[RK_SUPPLY_MAX_ARMS];
    unsigned ratio[RK_SUPPLY_MAX_ARMS]; /* kits of each arm per block, e.g. 2 and 1 */
    unsigned block_mult; /* block = block_mult * sum(ratio) kits (default 1 when 0) */
    size_t n_blocks;     /* number of blocks */
    const char *lot;     /* packaging lot printed on every label */
    rk_date expiry;      /* label expiry */
    const char *batch[RK_SUPPLY_MAX_ARMS]; /* manufacturing batch of each arm's kits (optional) */
} rk_kitlist_spec;

typedef struct rk_kitlist {
    size_t n;
    rk_kit *kit;
    size_t n_arms;
    char arm[RK_SUPPLY_MAX_ARMS][RK_SUPPLY_ID];
} rk_kitlist;

/* Generate a kit list, reproducible from spec->seed.
 *
 * Key: K = BLAKE2b-256 (crypto_generichash) of "rctkit-kitlist-v1" NUL seed.  Random bytes come
 * in 4096-byte chunks, chunk i = randombytes_buf_deterministic(K_i) with K_i = BLAKE2b-256 keyed
 * by K of the 8-byte little-endian i.  Integers in [0, n) are drawn without bias by rejection
 * (32-bit words >= 2^32 - 2^32 mod n are redrawn); code symbols likewise over the alphabet.
 * Kits 1..n_blocks*block are numbered in order; within each block the arms are placed by a
 * Fisher-Yates shuffle, so which numbers a site skips says nothing about the arm; codes are drawn
 * independently of the arm and redrawn on a collision. */
rk_status rk_kitlist_generate(const rk_kitlist_spec *spec, rk_kitlist **out, rk_error *err);
void rk_kitlist_free(rk_kitlist *l);
/* Index of the kit with `code`, or -1. */
long rk_kitlist_find(const rk_kitlist *l, const char *code);
/* Blinded CSV (number,code,lot,expiry) and the unblinded link (code,arm,batch). */
rk_status rk_kitlist_write_blinded(const rk_kitlist *l, const char *path, rk_error *err);
rk_status rk_kitlist_write_unblinded(const rk_kitlist *l, const char *path, rk_error *err);
/* Read a blinded list, and optionally (unblinded_path != NULL) the arm link; without it every
 * arm is -1.  Errors name the file and line. */
rk_status rk_kitlist_read(const char *blinded_path, const char *unblinded_path, rk_kitlist **out,
                          rk_error *err);

/* ----------------------------------------------------------------- GS1 */
/* 1 when `gtin` is 14 digits whose last digit is the GS1 mod-10 check digit. */
int rk_gtin_valid(const char *gtin);
/* GS1 element string "(01)gtin(21)serial(10)lot(17)YYMMDD" into buf; RK_EINVAL if the GTIN check
 * digit is wrong or serial/lot are not 1-20 GS1 characters. */
rk_status rk_gs1_element_string(const char *gtin, const char *serial, const char *lot,
                                rk_date expiry, char *buf, size_t size, rk_error *err);

/* --------------------------------------------------------------- labels */
/* A label shows only blinded fields: it has no arm parameter at all. */
typedef struct rk_label_info {
    const char *study;   /* e.g. "UCMSC-COVID phase 2" */
    const char *product; /* e.g. "UC-MSC 4x10^7 cells / placebo, 100 ml" (same for both arms) */
    const char *gtin;
    const char *code; /* kit code = GS1 serial (21) */
    const char *lot;
    rk_date expiry;
    uint32_t number; /* kit number */
} rk_label_info;

/* Render one label (a GS1 DataMatrix and a Code 128 of the kit code, both by libzint, plus the
 * human-readable lines) to `path_svg` and/or `path_png` (either may be NULL).  The layout is
 * fixed: DataMatrix forced to 26x26 modules, Code 128 forced to subset B, so every label has the
 * same size and the same element positions whatever the code. */
rk_status rk_label_render(const rk_label_info *info, const char *path_svg, const char *path_png,
                          rk_error *err);

/* ------------------------------------------------------------ batches */
typedef struct rk_batch_release {
    char batch[RK_SUPPLY_ID];
    double viability_trypan;                /* % viable, trypan blue */
    double viability_7aad;                  /* % viable (7-AAD/Annexin V negative) */
    double cd73, cd90, cd105;               /* % positive, each must be > 95 */
    double cd34, cd45, cd11b, cd19, hla_dr; /* % positive, each must be < 2 */
    int sterile;                            /* 1 sterile, 0 failed, -1 pending */
    int placebo;                            /* 1: placebo batch (cell criteria do not apply) */
} rk_batch_release;

typedef struct rk_release_criteria {
    double min_viability; /* % (default 80) for both methods */
    double min_positive;  /* identity markers strictly above (default 95) */
    double max_negative;  /* negative markers strictly below (default 2) */
} rk_release_criteria;

void rk_release_criteria_init(rk_release_criteria *c);
/* RK_OK when the batch may be shipped; otherwise RK_ESTATE with every failed criterion in the
 * message ("batch B: CD73 94.1% is not > 95%; sterility pending ..."). NaN = not measured. */
rk_status rk_batch_check(const rk_batch_release *b, const rk_release_criteria *c, rk_error *err);
/* Read release data CSV: batch,placebo,viability_trypan,viability_7aad,cd73,cd90,cd105,cd34,
 * cd45,cd11b,cd19,hla_dr,sterility (sterility: pass/fail/pending). */
rk_status rk_batch_read(const char *path, rk_batch_release **out, size_t *n, rk_error *err);

/* ---------------------------------------------------- state machine */

/* Vital signs and reactions of one infusion (NaN = not recorded). */
typedef struct rk_infusion {
    rk_time start, end;
    double temp_c, pulse, resp_rate, sbp, dbp, spo2;
    char reactions[128]; /* "none" or free text */
} rk_infusion;

/* Times 0, every vital sign NaN (not recorded), reactions "none".  Recorded vital signs must be
 * plausible (e.g. temperature 30-45 C, SpO2 50-100%), else the administration is refused. */
void rk_infusion_init(rk_infusion *in);

/* One scan = one transition, as handed to the sink (and so to the audit chain).  Blinded: no
 * arm.  Pointers are valid only during the sink call. */
typedef struct rk_supply_record {
    uint64_t seq;    /* 1, 2, ... in the order accepted */
    const char *kit; /* kit code */
    rk_kit_state from, to;
    const char *action; /* "scan", "quarantine", "release", "allocate", "auto-quarantine" */
    const char *who, *where, *why;
    rk_role role;
    rk_time when;
    const char *site;            /* site the kit is at after the transition ("" = depot) */
    const char *subject;         /* "" if none */
    const char *shipment;        /* "" if none */
    const rk_infusion *infusion; /* non-NULL for an administration */
} rk_supply_record;

/* Where transitions go.  record() returns RK_OK to accept; any other status refuses the
 * transition (the kit does not change state) and is passed to the caller. */
typedef struct rk_supply_sink {
    void *ctx;
    rk_status (*record)(void *ctx, const rk_supply_record *r, rk_error *err);
} rk_supply_sink;

/* The tracking state of one kit list (owns a copy of the list). */
typedef struct rk_supply rk_supply;

/* A tracking state over a copy of `list`, every kit as in the list (normally prepared).  sink may
 * be NULL (records are then only numbered).  Free with rk_supply_free. */
rk_status rk_supply_new(const rk_kitlist *list, const rk_supply_sink *sink, rk_supply **out,
                        rk_error *err);
void rk_supply_free(rk_supply *s);
const rk_kitlist *rk_supply_kits(const rk_supply *s);
/* Index of the kit with `code` in rk_supply_kits(s), or -1 (hashed: constant time). */
long rk_supply_find(const rk_supply *s, const char *code);
uint64_t rk_supply_seq(const rk_supply *s);

/* Release data for manufacturing batches (copied; c NULL = default criteria); kits of a batch that
 * is absent or fails are refused at "shipped". */
rk_status rk_supply_set_batches(rk_supply *s, const rk_batch_release *b, size_t n,
                                const rk_release_criteria *c, rk_error *err);
/* Subject -> arm (from the randomization engine; unblinded, kept inside). */
rk_status rk_supply_set_subject(rk_supply *s, const char *subject, int arm, const char *site,
                                rk_error *err);

typedef struct rk_scan {
    const char *kit; /* code as scanned */
    rk_kit_state to;
    const char *who, *where, *why;
    rk_role role;
    rk_time when;
    const char *site;            /* received/stored: the site; "" elsewhere */
    const char *shipment;        /* shipped/received */
    const char *subject;         /* dispensed/administered */
    const rk_infusion *infusion; /* administered */
} rk_scan;

/* Re-apply a transition read back from a journal (same checks, the sink is not called): how a
 * process rebuilds the state from its persisted records. */
rk_status rk_supply_replay(rk_supply *s, const rk_supply_record *r, rk_error *err);

/* Apply one scan.  Refusals are RK_ESTATE (or RK_EINVAL for an unknown/ill-formed code) with a
 * message that says what to do; they never name an arm. */
rk_status rk_supply_scan(rk_supply *s, const rk_scan *scan, rk_error *err);
/* Release a quarantined kit back to the state it was in: unblinded role and a reason needed. */
rk_status rk_supply_release(rk_supply *s, const char *kit, const char *who, rk_role role,
                            const char *why, rk_time when, rk_error *err);
/* Allocate (conceal) the next kit for a subject's visit: the lowest-numbered kit stored at the
 * subject's site, of the subject's arm, not quarantined, not allocated, and not expired on
 * `on` (with rk_supply_set_random_allocation: one of those kits at random).  Writes its code to
 * code_out (blinded: the user learns only a code). */
/* on != 0: rk_supply_allocate picks a usable kit uniformly at random (system RNG) instead of
 * the lowest-numbered one.  Lowest-first lets anyone who sees kit numbers and allocations (a
 * blinded investigator does) group subjects by arm: a stored kit passed over for a higher number
 * is of the other arm.  The trial store turns it on; replays follow the recorded kit. */
void rk_supply_set_random_allocation(rk_supply *s, int on);
rk_status rk_supply_allocate(rk_supply *s, const char *subject, rk_date on, const char *who,
                             rk_time when, char code_out[RK_KITCODE_SIZE], rk_error *err);
/* Quarantine every kit of a shipment that is in transit or at a site (action auto-quarantine). */
rk_status rk_supply_quarantine_shipment(rk_supply *s, const char *shipment, const char *who,
                                        const char *why, rk_time when, size_t *n_kits,
                                        rk_error *err);
/* Record every kit whose expiry is before `on` and which is not yet used as expired. */
rk_status rk_supply_expire(rk_supply *s, rk_date on, const char *who, rk_time when, size_t *n_kits,
                           rk_error *err);

/* ---------------------------------------------------------- logger files */
typedef struct rk_logger_config {
    double min_c, max_c; /* acceptable range, inclusive (default 8 and 12) */
    rk_time interval;    /* logging interval in s (default 300); a longer gap is an issue */
    rk_time max_transit; /* s (default 6 h) from first to last reading */
} rk_logger_config;

void rk_logger_config_init(rk_logger_config *c);

typedef enum rk_logger_issue_kind {
    RK_LOG_MALFORMED = 0,
    RK_LOG_OUT_OF_ORDER,
    RK_LOG_GAP
} rk_logger_issue_kind;

typedef struct rk_logger_issue {
    size_t line;
    rk_logger_issue_kind kind;
    char msg[160];
} rk_logger_issue;

typedef struct rk_excursion {
    size_t line_start, line_end; /* first out-of-range line, first line back in range (or last) */
    rk_time start, end;          /* duration = end - start */
    double extreme_c;            /* lowest (cold) or highest (hot) reading */
    int hot;                     /* 1 above max_c, 0 below min_c */
} rk_excursion;

typedef struct rk_logger_report {
    size_t n_readings;
    rk_time first, last;
    double min_c, max_c;
    size_t n_excursions;
    rk_excursion *excursions;
    size_t n_issues; /* all issues counted; only the first RK_LOGGER_MAX_ISSUES kept */
    size_t n_issues_kept;
    rk_logger_issue *issues;
    int transit_exceeded;
    int release_ok;    /* 1 only when read, >= 2 readings, no issue, no excursion, transit ok */
    char verdict[256]; /* one line saying why the shipment is or is not releasable */
} rk_logger_report;

#define RK_LOGGER_MAX_ISSUES 100

/* Parse a logger CSV (header with columns time and temp_c; other columns such as lat, lon or
 * location are ignored) and detect excursions, gaps, out-of-order and malformed rows.  Bad rows
 * are reported, not fatal; an unreadable file or missing header is an error (and the caller must
 * keep the shipment quarantined).  The report owns heap memory: rk_logger_report_free. */
rk_status rk_logger_parse(const char *text, size_t len, const char *name,
                          const rk_logger_config *cfg, rk_logger_report *rep, rk_error *err);
rk_status rk_logger_read(const char *path, const rk_logger_config *cfg, rk_logger_report *rep,
                         rk_error *err);
void rk_logger_report_free(rk_logger_report *rep);

/* ------------------------------------------------------------ schedule */
typedef enum rk_visit_kind { RK_VISIT_INFUSION = 0, RK_VISIT_CT, RK_VISIT_FOLLOWUP } rk_visit_kind;

typedef struct rk_visit_def {
    char name[RK_SUPPLY_ID];
    rk_visit_kind kind;
    int day;           /* days after randomization (day 0) */
    int before, after; /* window: [day - before, day + after] */
} rk_visit_def;

typedef struct rk_schedule {
    size_t n;
    rk_visit_def visit[32];
} rk_schedule;

/* The seed trial's schedule: infusions on days 0, 3 (+-1), 6 (+-1); CT at baseline (-2..0),
 * day 10 (+-2) and day 28 (+-3); follow-up on day 28 (+-3) and day 90 (+-7). */
void rk_schedule_default(rk_schedule *s);
/* CSV with columns visit,kind,day,before,after (kind infusion, ct or followup). */
rk_status rk_schedule_read(const char *path, rk_schedule *s, rk_error *err);

typedef enum rk_visit_status {
    RK_VS_UPCOMING = 0, /* window not open yet */
    RK_VS_DUE,          /* in window, on or before the target day */
    RK_VS_OVERDUE,      /* in window, after the target day */
    RK_VS_MISSED,       /* window closed, not done */
    RK_VS_DONE,         /* done within the window */
    RK_VS_DONE_LATE     /* done outside the window (protocol deviation) */
} rk_visit_status;

const char *rk_visit_status_name(rk_visit_status s);

#define RK_NOT_DONE INT32_MIN
/* Status of visit v for a subject randomized on `day0`, on date `today`; done = the date the
 * visit was done, or RK_NOT_DONE. */
rk_visit_status rk_visit_status_on(const rk_visit_def *v, rk_date day0, rk_date today,
                                   rk_date done);

/* ------------------------------------------------------------- reports */
typedef struct rk_site_inventory {
    char site[RK_SUPPLY_ID];
    size_t count[RK_KIT_NSTATES]; /* blinded: by state only */
    size_t usable;                /* stored, not allocated, not expired on the date */
    size_t allocated;             /* stored and allocated to a subject */
} rk_site_inventory;

/* Inventory per site on `on` (kits at the depot under site ""). *out owned by caller (free()). */
rk_status rk_supply_inventory(const rk_supply *s, rk_date on, rk_site_inventory **out,
                              size_t *n_sites, rk_error *err);

/* Reconciliation of one site: every kit ever received there is in exactly one final or
 * holding state; `open` counts kits dispensed but neither administered nor returned, and kits
 * shipped to the site but not received. */
typedef struct rk_reconciliation {
    size_t received, stored, dispensed_open, administered, returned, destroyed, damaged, lost,
        expired, quarantined, in_transit;
    int balanced; /* received == sum of the holding and final states */
} rk_reconciliation;

rk_status rk_supply_reconcile(const rk_supply *s, const char *site, rk_reconciliation *r,
                              rk_error *err);

/* Resupply, blinded by construction: a shipment is due when the usable kits of any arm at `site`
 * (stored and unassigned with `min_shelf_days` of shelf life left, or on their way) fall below
 * `trigger`; it then carries `buffer` depot kits of EVERY arm (lowest numbers, released batches,
 * not expiring within `min_shelf_days`), or, when the depot has fewer than `buffer` of some arm,
 * that smaller number of every arm.  So its size and its kits are the same whichever arm ran
 * low.  Output: the kit codes in kit-number order (the depot ships codes); none when not due. */
rk_status rk_supply_resupply(const rk_supply *s, const char *site, rk_date on, size_t trigger,
                             size_t buffer, int min_shelf_days, char (**codes)[RK_KITCODE_SIZE],
                             size_t *n, rk_error *err);

/* The per-arm detail behind rk_supply_resupply, for unblinded roles only: usable[a] the usable
 * kits of arm a at `site` (as counted above), depot[a] the depot kits of arm a a shipment may
 * take.  RK_EINVAL when the kit arms are not known. */
rk_status rk_supply_resupply_detail(const rk_supply *s, const char *site, rk_date on,
                                    int min_shelf_days, size_t usable[RK_SUPPLY_MAX_ARMS],
                                    size_t depot[RK_SUPPLY_MAX_ARMS], rk_error *err);

/* ------------------------------------------------------- in a trial store */
/* Load a kit list with its arm link (every kit needs its arm; the arms must be arms of the
 * trial) and/or batch release data (b, nb) into a trial store (rctkit/store.h), in one
 * transaction audited as done by `who`.  The kit list is loaded once (list NULL afterwards);
 * release data may be added later, the latest data of a batch counts.  The audit trail gets a
 * "kit_load" record with the BLAKE2b-256 fingerprint of the kits and their arms (not the arms
 * themselves) and a "kit_batches" record per load of release data (counts and fingerprint; no
 * batch names, which are arm-specific). */
rk_status rk_supply_store_load(rk_store *s, const rk_kitlist *list, const rk_batch_release *b,
                               size_t nb, const char *who, rk_error *err);
/* The tracking state of the store's kits, rebuilt from the stored transitions (batches and
 * randomized subjects included).  Its sink writes each transition as an audit record in the
 * store's hash chain and a row of kit_events, atomically (a SAVEPOINT: inside the caller's
 * transaction when there is one).  One writer at a time: the server's process, or a program
 * while the server is stopped.  RK_ESTATE when no kit list is loaded. */
rk_status rk_supply_store_open(rk_store *s, rk_supply **out, rk_error *err);

/* The store's kit list, blinded: number, code, lot and expiry only (every arm -1, no batch; the
 * arm link is not even read).  What labels are printed from.  RK_ESTATE when none is loaded. */
rk_status rk_supply_store_kits_blinded(rk_store *s, rk_kitlist **out, rk_error *err);

/* The trial's supply settings, kept in the store: the visit schedule the server's schedule and
 * infusion endpoints use, and the resupply levels of its resupply endpoint. */
typedef struct rk_supply_settings {
    rk_schedule schedule;    /* default: rk_schedule_default */
    size_t resupply_trigger; /* ship when usable kits of an arm at a site fall below (default 2) */
    size_t resupply_buffer;  /* ... this many kits of every arm (default 4; >= trigger) */
    int min_shelf_days;      /* only kits with this many days of shelf life left (default 14) */
} rk_supply_settings;

/* The defaults above. */
void rk_supply_settings_init(rk_supply_settings *set);
/* The store's latest settings, or the defaults when none were configured. */
rk_status rk_supply_store_settings(rk_store *s, rk_supply_settings *out, rk_error *err);
/* One scheduled visit of one randomized subject, as the store knows it. */
typedef struct rk_subject_visit {
    char subject[RK_SUPPLY_ID];
    char site[RK_SUPPLY_ID];
    rk_date day0;              /* randomization date (UTC day of the allocation) */
    size_t visit;              /* index into the settings' schedule */
    rk_date done;              /* RK_NOT_DONE when not recorded */
    char kit[RK_KITCODE_SIZE]; /* infusion visits: the administered kit ("" otherwise) */
} rk_subject_visit;

/* Every randomized subject's visits of the store's schedule (subjects in randomization order,
 * visits in schedule order), with the settings in *set.  *out malloc'd (free()); blinded. */
rk_status rk_supply_store_visits(rk_store *s, rk_supply_settings *set, rk_subject_visit **out,
                                 size_t *n, rk_error *err);
/* Configure (or change) the settings: checked (1-32 visits with unique names, buffer >= trigger
 * >= 1, shelf days 0-3650), stored append-only with a "supply_settings" audit record that carries
 * them (no arm) and that rctkit audit verify compares with the stored row. */
rk_status rk_supply_store_configure(rk_store *s, const rk_supply_settings *set, const char *who,
                                    rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
