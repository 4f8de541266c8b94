/* `rctkit trial init` (configure a trial database from its files) and
 * `rctkit trial hash-password` (an Argon2id string for a users file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cmd_server.h"
#include "rctkit/store.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static const rk__opt init_opts[] = {
    {"db", "FILE", "trial database to create (must not exist)"},
    {"trial", "FILE.json", "trial: name, arms, stratification factors, eligibility"},
    {"design", "FILE.yaml", "instead of --trial: the design of 'rctkit rand list'"},
    {"eligibility", "FILE.csv", "with --design: eligibility criteria id,kind,text"},
    {"sites", "FILE.csv", "sites: site,name"},
    {"users", "FILE.csv", "users: username,role,site,password (or password_hash)"},
    {"list", "FILE.csv", "randomization list: rand_no,stratum,block,block_size,arm"},
    {"seed", "S", "with --design, instead of --list: randomize at allocation time from this seed"},
    {"pwcost", "COST", "Argon2id cost: interactive (default), moderate, min (tests only)"},
    {"by", "NAME", "who configures (recorded in the audit trail; default: $USER)"},
};

static const rk__opt hash_opts[] = {
    {"pwcost", "COST", "Argon2id cost: interactive (default), moderate, min (tests only)"},
};

static int fail(const char *cmd, const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit %s: %s\n", cmd, err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

static rk_status parse_cost(const char *s, rk_pwcost *out, rk_error *err)
{
    if (!s || !strcmp(s, "interactive"))
        *out = RK_PWCOST_INTERACTIVE;
    else if (!strcmp(s, "moderate"))
        *out = RK_PWCOST_MODERATE;
    else if (!strcmp(s, "min"))
        *out = RK_PWCOST_MIN;
    else
        return rk_error_set(err, RK_EINVAL,
                            "--pwcost must be interactive, moderate or min, not '%s'", s);
    return RK_OK;
}

static int trial_init(int argc, char **argv)
{
    const char *cmd = "trial init";
    rk__args a;
    rk_error err = {0};
    rk_status st = rk__args_parse(&a, init_opts, NOPTS(init_opts), argc, argv, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        rk__print_usage(stdout,
                        "rctkit trial init --db FILE --trial T.json|--design D.yaml --sites S.csv "
                        "--users U.csv --list L.csv|--seed S",
                        "Create a trial database from its configuration files (one audited "
                        "transaction).",
                        init_opts, NOPTS(init_opts));
        return RK_EXIT_OK;
    }
    rk_trial_files f = {.trial = rk__arg(&a, "trial"),
                        .sites = rk__arg(&a, "sites"),
                        .users = rk__arg(&a, "users"),
                        .list = rk__arg(&a, "list"),
                        .eligibility = rk__arg(&a, "eligibility"),
                        .seed = rk__arg(&a, "seed")};
    if (rk__arg(&a, "design")) {
        if (f.trial) {
            fprintf(stderr, "rctkit %s: give --trial or --design, not both\n", cmd);
            return RK_EXIT_USAGE;
        }
        f.trial = rk__arg(&a, "design");
    }
    const char *db = rk__arg(&a, "db");
    if (!db || !f.trial || !f.sites || !f.users || (!f.list && !f.seed)) {
        fprintf(stderr,
                "rctkit %s: needs --db, --trial (or --design), --sites, --users and --list (or "
                "--seed)\n",
                cmd);
        return RK_EXIT_USAGE;
    }
    if (f.list && f.seed) {
        fprintf(stderr,
                "rctkit %s: give --list or --seed, not both (--seed: a design randomized at "
                "allocation time)\n",
                cmd);
        return RK_EXIT_USAGE;
    }
    rk_pwcost cost = RK_PWCOST_INTERACTIVE;
    if ((st = parse_cost(rk__arg(&a, "pwcost"), &cost, &err))) return fail(cmd, &err, st);
    const char *by = rk__arg_by(&a);
    rk_store *s = NULL;
    if ((st = rk_store_open(db, 1, &s, &err))) return fail(cmd, &err, st);
    st = rk_store_configure(s, &f, cost, by, &err);
    rk_store_close(s);
    if (st) {
        remove(db); /* the database was created empty by this command: leave nothing behind */
        char side[4200];
        snprintf(side, sizeof side, "%s-wal", db);
        remove(side);
        snprintf(side, sizeof side, "%s-shm", db);
        remove(side);
        return fail(cmd, &err, st);
    }
    printf("trial database %s created\n", db);
    return RK_EXIT_OK;
}

static int hash_password(int argc, char **argv)
{
    const char *cmd = "trial hash-password";
    rk__args a;
    rk_error err = {0};
    rk_status st = rk__args_parse(&a, hash_opts, NOPTS(hash_opts), argc, argv, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        rk__print_usage(stdout, "rctkit trial hash-password < password.txt",
                        "Read a password (first line of stdin), print its Argon2id hash for the "
                        "password_hash column of a users file.",
                        hash_opts, NOPTS(hash_opts));
        return RK_EXIT_OK;
    }
    rk_pwcost cost = RK_PWCOST_INTERACTIVE;
    if ((st = parse_cost(rk__arg(&a, "pwcost"), &cost, &err))) return fail(cmd, &err, st);
    char pw[1100];
    if (!fgets(pw, sizeof pw, stdin)) {
        fprintf(stderr, "rctkit %s: no password on standard input\n", cmd);
        return RK_EXIT_USAGE;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    char hash[crypto_pwhash_STRBYTES];
    st = rk_password_hash(pw, cost, hash, sizeof hash, &err);
    sodium_memzero(pw, sizeof pw);
    if (st) return fail(cmd, &err, st);
    puts(hash);
    return RK_EXIT_OK;
}

int rk__cmd_trial(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "init")) return trial_init(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "hash-password")) return hash_password(argc - 1, argv + 1);
    FILE *f =
        (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) ? stdout : stderr;
    if (f == stderr && argc >= 1)
        fprintf(stderr, "rctkit trial: unknown subcommand '%s'\n", argv[0]);
    fputs("usage: rctkit trial init|hash-password [options]   (rctkit trial init --help)\n", f);
    return f == stdout ? RK_EXIT_OK : RK_EXIT_USAGE;
}
