/* The trial configuration kept in the store: arms, stratification factors, eligibility. */
#ifndef RK_STORE_TRIAL_H
#define RK_STORE_TRIAL_H

#include <jansson.h>

#include "rctkit/store.h"

#define RK__MAX_ARMS 16
#define RK__MAX_FACTORS 8
#define RK__MAX_LEVELS 64
#define RK__MAX_CRITERIA 64

typedef struct rk__factor {
    const char *name;
    const char *levels[RK__MAX_LEVELS]; /* empty for "site" (levels = the sites) */
    size_t n_levels;
} rk__factor;

typedef struct rk__criterion {
    const char *id;
    int exclusion; /* 1: must be answered false; 0 (inclusion): true */
} rk__criterion;

/* Strings point into json. */
typedef struct rk__trial {
    json_t *json;
    const char *name;
    const char *arms[RK__MAX_ARMS];
    size_t n_arms;
    rk__factor factors[RK__MAX_FACTORS];
    size_t n_factors;
    int site_factor; /* index of the factor "site" */
    rk__criterion criteria[RK__MAX_CRITERIA];
    size_t n_criteria;
} rk__trial;

/* Parse and check a trial file's text (src names it in messages). */
rk_status rk__trial_parse(const char *text, const char *src, rk__trial **out, rk_error *err);
/* The trial stored in s. */
rk_status rk__trial_load(rk_store *s, rk__trial **out, rk_error *err);
void rk__trial_free(rk__trial *t);

/* 1 when s is 1..64 characters of [A-Za-z0-9_.@-]. */
int rk__good_id(const char *s);
int rk__site_exists(rk_store *s, const char *site);
/* Check a stratum string against the trial; the site level is copied to site. */
rk_status rk__stratum_check(rk_store *s, const rk__trial *t, const char *stratum, char *site,
                            size_t site_size, rk_error *err);
/* Add a user (inside a transaction), audited. */
rk_status rk__user_add(rk_store *s, const char *username, rk_role role, const char *site,
                       const char *pwhash, const char *who, const char *why, rk_error *err);
/* A randomization design (YAML of `rctkit rand list`) as trial JSON text (malloc'd), with
 * eligibility criteria from a CSV id,kind,text (NULL for none); *site_levels gets the design's
 * levels of 'site' (to check against the sites file).  with_list: the trial serves a list
 * (minimization has none). */
rk_status rk__design_to_trial(const char *text, size_t len, const char *src,
                              const char *eligibility_csv, int with_list, char **trial_json,
                              json_t **site_levels, rk_error *err);
rk_status rk__meta_put(rk_store *s, const char *key, const char *value, rk_error *err);

#endif
