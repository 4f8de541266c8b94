/* `rctkit audit verify`: check the audit trail's hash chain and its cross-references;
 * `rctkit audit replay`: recompute every allocation-time assignment from the seed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_server.h"
#include "rctkit/store.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static const rk__opt verify_opts[] = {
    {"db", "FILE", "trial database"},
    {"head", "N:HEX", "the head printed by an earlier verify, kept elsewhere (detects truncation)"},
    {"format", "FMT", "text (default) or json"},
};

static const rk__opt replay_opts[] = {
    {"db", "FILE", "trial database"},
    {"seed", "S", "the trial's seed (default: the key stored in the database)"},
    {"format", "FMT", "text (default) or json"},
};

static int replay(int argc, char **argv)
{
    const char *cmd = "audit replay";
    rk__args a;
    rk_error err = {0};
    rk_status st = rk__args_parse(&a, replay_opts, NOPTS(replay_opts), argc, argv, &err);
    if (st) {
        fprintf(stderr, "rctkit %s: %s\n", cmd, err.msg);
        return rk__exit_code(st);
    }
    if (a.help) {
        rk__print_usage(stdout, "rctkit audit replay --db FILE [--seed S]",
                        "Recompute every allocation-time assignment from the seed, the recorded "
                        "strata and the history, and compare with the arms served. Exit 0: all "
                        "match; 1: a mismatch or a seed that is not the trial's.",
                        replay_opts, NOPTS(replay_opts));
        return RK_EXIT_OK;
    }
    rk__format fmt;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) {
        fprintf(stderr, "rctkit %s: %s\n", cmd, err.msg);
        return rk__exit_code(st);
    }
    const char *db = rk__arg(&a, "db");
    if (!db) {
        fprintf(stderr, "rctkit %s: --db FILE is required\n", cmd);
        return RK_EXIT_USAGE;
    }
    rk_store *s = NULL;
    rk_replay_report rep;
    if ((st = rk_store_open(db, 0, &s, &err)) == RK_OK)
        st = rk_audit_replay(s, rk__arg(&a, "seed"), &rep, &err);
    rk_store_close(s);
    if (st) {
        fprintf(stderr, "rctkit %s: %s\n", cmd, err.msg);
        return rk__exit_code(st);
    }
    int ok = rep.key_matches && rep.mismatches == 0;
    if (fmt == RK_FMT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_boolean(ok));
        json_object_set_new(o, "procedure", json_string(rep.procedure));
        json_object_set_new(o, "allocations", json_integer((json_int_t)rep.n));
        json_object_set_new(o, "mismatches", json_integer((json_int_t)rep.mismatches));
        json_object_set_new(o, "seed_is_the_trials", json_boolean(rep.key_matches));
        if (rep.mismatches) json_object_set_new(o, "first_mismatch", json_string(rep.first));
        char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (txt) puts(txt);
        free(txt);
    } else {
        if (!rep.key_matches)
            puts("the seed given is NOT the trial's (its key differs from the stored one)");
        const char *from = rk__arg(&a, "seed") ? "the seed" : "the stored key";
        if (rep.mismatches)
            printf("replayed %zu %s allocations from %s: %zu do NOT match the arms served\n"
                   "first mismatch: %s\n",
                   rep.n, rep.procedure, from, rep.mismatches, rep.first);
        else
            printf("replayed %zu %s allocations from %s: all match the arms served\n", rep.n,
                   rep.procedure, from);
    }
    return ok ? RK_EXIT_OK : RK_EXIT_FAIL;
}

int rk__cmd_audit(int argc, char **argv)
{
    const char *cmd = "audit verify";
    if (argc >= 1 && !strcmp(argv[0], "replay")) return replay(argc - 1, argv + 1);
    if (argc < 1 || strcmp(argv[0], "verify") != 0) {
        int help = argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"));
        if (!help && argc >= 1) fprintf(stderr, "rctkit audit: unknown subcommand '%s'\n", argv[0]);
        fputs("usage: rctkit audit verify|replay --db FILE   (rctkit audit verify --help)\n",
              help ? stdout : stderr);
        return help ? RK_EXIT_OK : RK_EXIT_USAGE;
    }
    rk__args a;
    rk_error err = {0};
    rk_status st = rk__args_parse(&a, verify_opts, NOPTS(verify_opts), argc - 1, argv + 1, &err);
    if (st) {
        fprintf(stderr, "rctkit %s: %s\n", cmd, err.msg);
        return rk__exit_code(st);
    }
    if (a.help) {
        rk__print_usage(stdout, "rctkit audit verify --db FILE [--head N:HEX]",
                        "Check that no audit record was edited, deleted or reordered. Exit 0: "
                        "intact; 1: broken.",
                        verify_opts, NOPTS(verify_opts));
        return RK_EXIT_OK;
    }
    rk__format fmt;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) {
        fprintf(stderr, "rctkit %s: %s\n", cmd, err.msg);
        return rk__exit_code(st);
    }
    const char *db = rk__arg(&a, "db");
    if (!db) {
        fprintf(stderr, "rctkit %s: --db FILE is required\n", cmd);
        return RK_EXIT_USAGE;
    }
    rk_store *s = NULL;
    rk_audit_report rep;
    if ((st = rk_store_open(db, 0, &s, &err)) == RK_OK)
        st = rk_audit_verify(s, rk__arg(&a, "head"), &rep, &err);
    rk_store_close(s);
    if (st) {
        fprintf(stderr, "rctkit %s: %s\n", cmd, err.msg);
        return rk__exit_code(st);
    }
    if (fmt == RK_FMT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_boolean(rep.ok));
        json_object_set_new(o, "records", json_integer(rep.n_records));
        char head[96];
        snprintf(head, sizeof head, "%" PRId64 ":%s", rep.n_records, rep.head);
        json_object_set_new(o, "head", json_string(head));
        if (!rep.ok) {
            json_object_set_new(o, "first_bad", json_integer(rep.first_bad));
            json_object_set_new(o, "problem", json_string(rep.problem));
        }
        char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (txt) puts(txt);
        free(txt);
    } else if (rep.ok) {
        printf("audit trail intact: %" PRId64 " records\nhead: %" PRId64 ":%s\n", rep.n_records,
               rep.n_records, rep.head);
    } else {
        printf("audit trail BROKEN at record %" PRId64 ": %s\n", rep.first_bad, rep.problem);
    }
    return rep.ok ? RK_EXIT_OK : RK_EXIT_FAIL;
}
