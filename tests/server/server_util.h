/* Helpers shared by the server tests: a trial in a temporary directory, a real server on a
 * loopback port chosen by the OS (in this process, or a child process that can be killed),
 * and JSON requests over real HTTP. */
#ifndef RK_TESTS_SERVER_UTIL_H
#define RK_TESTS_SERVER_UTIL_H

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rctkit/server.h"
#include "rctkit/store.h"
#include "server/http_client.h"

extern char **environ;

typedef struct tu_trial {
    char dir[128];
    char db[200];
} tu_trial;

static inline void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* The users of every test trial: name, role, site, password = name + "-pass-1". */
__attribute__((unused)) static const char *const tu_users[][3] = {
    {"admin", "administrator", "*"},
    {"inv1", "investigator", "S01"},
    {"inv2", "investigator", "S02"},
    {"pha1", "pharmacist", "S01"},
    {"pha2", "pharmacist", "S02"},
    {"bstat", "blinded_statistician", "*"},
    {"ustat", "unblinded_statistician", "*"},
    {"mon", "data_monitor", "*"},
};
#define TU_NUSERS 8

static inline void tu_password(const char *user, char *out, size_t n)
{
    snprintf(out, n, "%s-pass-1", user);
}

/* The temporary directory, sites S01, S02 and the users of every test trial. */
static inline void tu_make_common(tu_trial *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/rk-server-XXXXXX");
    if (!mkdtemp(t->dir)) exit(1);
    snprintf(t->db, sizeof t->db, "%s/trial.db", t->dir);
    char p[300];
    snprintf(p, sizeof p, "%s/sites.csv", t->dir);
    tu_write(p, "site,name\nS01,one\nS02,two\n");
    snprintf(p, sizeof p, "%s/users.csv", t->dir);
    rk_buf b;
    rk_buf_init(&b, 0);
    rk_buf_appendf(&b, NULL, "username,role,site,password\n");
    for (int i = 0; i < TU_NUSERS; i++) {
        char pw[64];
        tu_password(tu_users[i][0], pw, sizeof pw);
        rk_buf_appendf(&b, NULL, "%s,%s,%s,%s\n", tu_users[i][0], tu_users[i][1], tu_users[i][2],
                       pw);
    }
    tu_write(p, b.data);
    rk_buf_free(&b);
}

static inline void tu_configure(tu_trial *t, rk_trial_files *files)
{
    rk_store *s = NULL;
    rk_error err = {0};
    if (rk_store_open(t->db, 1, &s, &err) ||
        rk_store_configure(s, files, RK_PWCOST_MIN, "test", &err)) {
        fprintf(stderr, "configure: %s\n", err.msg);
        exit(1);
    }
    rk_store_close(s);
}

/* A trial with sites S01, S02, factor sex (F, M), arms arm_a/arm_b (distinctive codes so a
 * response that leaks one is easy to find), and per stratum `slots` list rows with
 * alternating blocks of 4 (arm_a arm_b arm_b arm_a / arm_b arm_a arm_a arm_b). */
static inline void tu_make_trial(tu_trial *t, int slots)
{
    tu_make_common(t);
    char p[300];
    snprintf(p, sizeof p, "%s/trial.json", t->dir);
    tu_write(p, "{\"name\": \"test trial\", \"arms\": [\"arm_a\", \"arm_b\"], \"factors\": "
                "[{\"name\": \"site\"}, {\"name\": \"sex\", \"levels\": [\"F\", \"M\"]}], "
                "\"eligibility\": [{\"id\": \"adult\", \"kind\": \"inclusion\"}, {\"id\": "
                "\"pregnant\", \"kind\": \"exclusion\"}]}");
    rk_buf b;
    rk_buf_init(&b, 0);
    rk_buf_appendf(&b, NULL, "rand_no,stratum,block,block_size,arm\n");
    static const char *const strata[] = {"S01|F", "S01|M", "S02|F", "S02|M"};
    static const char *const pat[2][4] = {{"arm_a", "arm_b", "arm_b", "arm_a"},
                                          {"arm_b", "arm_a", "arm_a", "arm_b"}};
    for (int s = 0; s < 4; s++)
        for (int i = 0; i < slots; i++)
            rk_buf_appendf(&b, NULL, "R%d%05d,%s,%d,4,%s\n", s + 1, i + 1, strata[s], i / 4 + 1,
                           pat[(i / 4) % 2][i % 4]);
    snprintf(p, sizeof p, "%s/list.csv", t->dir);
    tu_write(p, b.data);
    rk_buf_free(&b);
    char f[4][300];
    snprintf(f[0], sizeof f[0], "%s/trial.json", t->dir);
    snprintf(f[1], sizeof f[1], "%s/sites.csv", t->dir);
    snprintf(f[2], sizeof f[2], "%s/users.csv", t->dir);
    snprintf(f[3], sizeof f[3], "%s/list.csv", t->dir);
    rk_trial_files files = {.trial = f[0], .sites = f[1], .users = f[2], .list = f[3]};
    tu_configure(t, &files);
}

/* The seed of the dynamic test trials. */
#define TU_SEED "dynamic-test-seed-2026"

/* The same trial randomized at allocation time from TU_SEED: design.yaml with arms
 * arm_a:arm_b = 2:1, factors site (S01, S02; weight 1) and sex (F, M; weight 2), and the
 * given procedure line (e.g. "{name: minimization, p: 0.8}"); 1:1 and no weights for the
 * other procedures. */
static inline void tu_make_dyn_trial_seed(tu_trial *t, const char *procedure, const char *seed)
{
    tu_make_common(t);
    int min = strstr(procedure, "minimization") != NULL; /* weights and 2:1 */
    char p[300], yaml[1000];
    snprintf(yaml, sizeof yaml,
             "trial: dynamic test trial\n"
             "arms:\n  - {name: arm_a, ratio: %d}\n  - {name: arm_b, ratio: 1}\n"
             "strata:\n  - {name: site, levels: [S01, S02]%s}\n"
             "  - {name: sex, levels: [F, M]%s}\n"
             "procedure: %s\nlist_length: 100\n",
             min ? 2 : 1, min ? ", weight: 1" : "", min ? ", weight: 2" : "", procedure);
    snprintf(p, sizeof p, "%s/design.yaml", t->dir);
    tu_write(p, yaml);
    snprintf(p, sizeof p, "%s/eligibility.csv", t->dir);
    tu_write(p, "id,kind,text\nadult,inclusion,adult\npregnant,exclusion,pregnant\n");
    char f[4][300];
    snprintf(f[0], sizeof f[0], "%s/design.yaml", t->dir);
    snprintf(f[1], sizeof f[1], "%s/sites.csv", t->dir);
    snprintf(f[2], sizeof f[2], "%s/users.csv", t->dir);
    snprintf(f[3], sizeof f[3], "%s/eligibility.csv", t->dir);
    rk_trial_files files = {
        .trial = f[0], .sites = f[1], .users = f[2], .eligibility = f[3], .seed = seed};
    tu_configure(t, &files);
}

static inline void tu_make_dyn_trial(tu_trial *t, const char *procedure)
{
    tu_make_dyn_trial_seed(t, procedure, TU_SEED);
}

/* Every dynamic allocation replayed from TU_SEED matches; returns the number replayed. */
static inline size_t tu_replay_ok(const char *db)
{
    rk_store *s = NULL;
    rk_error err = {0};
    rk_replay_report rep;
    if (rk_store_open(db, 0, &s, &err) || rk_audit_replay(s, TU_SEED, &rep, &err)) {
        fprintf(stderr, "replay: %s\n", err.msg);
        rk_store_close(s);
        return (size_t)-1;
    }
    rk_store_close(s);
    if (!rep.key_matches || rep.mismatches) {
        fprintf(stderr, "replay: key %d, %zu mismatches: %s\n", rep.key_matches, rep.mismatches,
                rep.first);
        return (size_t)-1;
    }
    return rep.n;
}

/* Arm of slot i (0-based) in any stratum of tu_make_trial's list. */
static inline const char *tu_list_arm(int i)
{
    static const char *const pat[2][4] = {{"arm_a", "arm_b", "arm_b", "arm_a"},
                                          {"arm_b", "arm_a", "arm_a", "arm_b"}};
    return pat[(i / 4) % 2][i % 4];
}

/* Leading whole number of s. */
static inline int tu_int(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

static inline void tu_remove_trial(tu_trial *t)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", t->dir);
}

static inline rk_server *tu_start(const tu_trial *t, int session_ttl)
{
    rk_server_opts o;
    rk_server_opts_init(&o);
    o.db = t->db;
    o.port = 0;
    o.pwcost = RK_PWCOST_MIN;
    o.max_body = 4096;
    if (session_ttl) o.session_ttl = session_ttl;
    rk_server *s = NULL;
    rk_error err = {0};
    if (rk_server_start(&o, &s, &err)) {
        fprintf(stderr, "server: %s\n", err.msg);
        exit(1);
    }
    return s;
}

/* One request; returns the parsed JSON (NULL if not JSON) and the status. */
static inline json_t *tu_req(rk__http *h, const char *method, const char *path, const char *token,
                             const char *body, int *status, char **raw)
{
    char *out = NULL;
    rk_error err = {0};
    *status = 0;
    if (rk__http_request(h, method, path, token, body, body ? strlen(body) : 0, NULL, status, &out,
                         &err) != RK_OK) {
        if (raw) *raw = NULL;
        return NULL;
    }
    json_t *j = json_loads(out, 0, NULL);
    if (raw)
        *raw = out;
    else
        free(out);
    return j;
}

/* Log in; the token is copied to tok (65 bytes). 0 on success. */
static inline int tu_login(rk__http *h, const char *user, char *tok)
{
    char pw[64], body[200];
    tu_password(user, pw, sizeof pw);
    snprintf(body, sizeof body, "{\"username\": \"%s\", \"password\": \"%s\"}", user, pw);
    int st;
    json_t *j = tu_req(h, "POST", "/api/login", NULL, body, &st, NULL);
    const char *t = json_string_value(json_object_get(j, "token"));
    int rc = (st == 200 && t && strlen(t) == 64) ? 0 : -1;
    if (!rc) memcpy(tok, t, 65);
    json_decref(j);
    return rc;
}

static inline void tu_enrol_body(char *body, size_t n, const char *id, const char *sex)
{
    snprintf(body, n,
             "{\"subject_id\": \"%s\", \"strata\": {\"sex\": \"%s\"}, \"eligibility\": "
             "{\"adult\": true, \"pregnant\": false}}",
             id, sex);
}

static inline int tu_verify(const char *db, int64_t *n)
{
    rk_store *s = NULL;
    rk_error err = {0};
    rk_audit_report rep;
    if (rk_store_open(db, 0, &s, &err) || rk_audit_verify(s, NULL, &rep, &err)) {
        fprintf(stderr, "verify: %s\n", err.msg);
        rk_store_close(s);
        return 0;
    }
    rk_store_close(s);
    if (!rep.ok) fprintf(stderr, "audit: %s\n", rep.problem);
    if (n) *n = rep.n_records;
    return rep.ok;
}

#endif
