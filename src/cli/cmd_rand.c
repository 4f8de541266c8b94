/* `rctkit rand list|assess`: write a design's randomization list, or assess the design. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_rand.h"
#include "rctkit/rand.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static const rk__opt list_opts[] = {
    {"design", "DESIGN.yaml", "the design file (see docs/randomization.md)"},
    {"seed", "S", "the seed text; the same design and seed give the same list everywhere"},
    {"out", "FILE.csv", "write the list here (default: standard output)"},
};

static const rk__opt assess_opts[] = {
    {"design", "DESIGN.yaml", "the design file"},
    {"n", "N", "sequence length (default: list_length of the design)"},
    {"sims", "N", "simulated sequences when enumeration is too large (default 10000)"},
    {"seed", "S", "seed of the simulation stream (default 1)"},
    {"theta", "T", "linear time trend over the sequence in SD units (default 1)"},
    {"alpha", "A", "level of the two-sided t-test for chronological bias (default 0.05)"},
    {"max-nodes", "N", "exact enumeration budget in tree nodes (default 1000000)"},
    {"format", "FMT", "text (default) or json"},
};

static void rand_usage(FILE *f)
{
    fprintf(f, "usage: rctkit rand list|assess --design DESIGN.yaml [options]\n\n"
               "subcommands:\n"
               "  list     write the randomization list (CSV) for a design and seed\n"
               "  assess   predictability, imbalance, loss and chronological bias of a design\n"
               "\nRun 'rctkit rand SUBCOMMAND --help' for the options.\n");
}

static int fail(const char *cmd, const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit rand %s: %s\n", cmd, err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

static rk_status parse_count(const char *s, const char *opt, size_t lo, size_t *out, rk_error *err)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-' || s[0] == '+' || errno || v < lo || v > 1000000000ULL)
        return rk_error_set(err, RK_EINVAL, "--%s must be a whole number from %zu to 1e9, not '%s'",
                            opt, lo, s);
    *out = (size_t)v;
    return RK_OK;
}

static int cmd_list(int argc, char **argv)
{
    rk__args a;
    rk_error err = {0};
    rk_status st = rk__args_parse(&a, list_opts, NOPTS(list_opts), argc, argv, &err);
    if (st) return fail("list", &err, st);
    if (a.help) {
        rk__print_usage(stdout, "rctkit rand list --design DESIGN.yaml --seed S [--out FILE.csv]",
                        "Write the randomization list: rand_no,stratum,block,block_size,arm.",
                        list_opts, NOPTS(list_opts));
        return RK_EXIT_OK;
    }
    const char *path = rk__arg(&a, "design"), *seed = rk__arg(&a, "seed"),
               *out = rk__arg(&a, "out");
    if (!path || !seed) {
        rk_error_set(&err, RK_EINVAL, "--design DESIGN.yaml and --seed S are required");
        return fail("list", &err, RK_EINVAL);
    }
    rk_rand_design *d = NULL;
    rk_rand_list *l = NULL;
    unsigned char key[RK_RAND_KEYBYTES];
    FILE *f = NULL;
    if ((st = rk_rand_design_read(path, &d, &err)) || (st = rk_rand_seed_key(seed, key, &err)) ||
        (st = rk_rand_list_make(d, key, &l, &err)))
        goto done;
    f = out ? fopen(out, "w") : stdout;
    if (!f) {
        st = rk_error_set(&err, RK_EIO, "%s: cannot write: %s", out, strerror(errno));
        goto done;
    }
    if ((st = rk_rand_list_write_csv(d, l, f, &err))) goto done;
    if (out) {
        int bad = fclose(f) != 0;
        f = NULL;
        if (bad) {
            st = rk_error_set(&err, RK_EIO, "%s: write error", out);
            goto done;
        }
        printf("wrote %zu slots in %zu strata to %s\n", l->n, rk_rand_nstrata(d), out);
    }
done:
    if (f && f != stdout) fclose(f);
    rk_rand_list_free(l);
    rk_rand_design_free(d);
    return st ? fail("list", &err, st) : RK_EXIT_OK;
}

static void describe_design(const rk_rand_design *d, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%s, arms ", rk_rand_proc_name(d->proc));
    for (size_t k = 0; k < d->narms && len < size; k++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? ":" : "", d->arms[k].name);
    for (size_t k = 0; k < d->narms && len < size; k++)
        len += (size_t)snprintf(buf + len, size - len, "%s%u", k ? ":" : " = ", d->arms[k].ratio);
    if (d->nblock_sizes && len < size) {
        len += (size_t)snprintf(buf + len, size - len, ", block sizes");
        for (size_t i = 0; i < d->nblock_sizes && len < size; i++)
            len +=
                (size_t)snprintf(buf + len, size - len, "%s%u", i ? ", " : " ", d->block_sizes[i]);
    }
    if ((d->proc == RK_RAND_EFRON || d->proc == RK_RAND_MINIMIZATION) && len < size)
        len += (size_t)snprintf(buf + len, size - len, ", p = %.6g", d->p);
    if (d->mti && len < size) snprintf(buf + len, size - len, ", mti = %u", d->mti);
}

static int cmd_assess(int argc, char **argv)
{
    rk__args a;
    rk_error err = {0};
    rk_status st = rk__args_parse(&a, assess_opts, NOPTS(assess_opts), argc, argv, &err);
    if (st) return fail("assess", &err, st);
    if (a.help) {
        rk__print_usage(stdout, "rctkit rand assess --design DESIGN.yaml [options]",
                        "Quality figures of the design's sequence within one stratum: exact by "
                        "enumeration when small, by simulation otherwise.",
                        assess_opts, NOPTS(assess_opts));
        return RK_EXIT_OK;
    }
    rk_rand_assess_opts o;
    rk_rand_assess_opts_init(&o);
    rk__format fmt;
    const char *path = rk__arg(&a, "design"), *seed = rk__arg(&a, "seed"), *v;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) return fail("assess", &err, st);
    if (!path) {
        rk_error_set(&err, RK_EINVAL, "--design DESIGN.yaml is required");
        return fail("assess", &err, RK_EINVAL);
    }
    if (((v = rk__arg(&a, "n")) && (st = parse_count(v, "n", 1, &o.n, &err))) ||
        ((v = rk__arg(&a, "sims")) && (st = parse_count(v, "sims", 1, &o.sims, &err))) ||
        ((v = rk__arg(&a, "max-nodes")) &&
         (st = parse_count(v, "max-nodes", 0, &o.max_exact_nodes, &err))) ||
        ((v = rk__arg(&a, "theta")) &&
         (st = rk__parse_option_number(v, "theta", &o.theta, &err))) ||
        ((v = rk__arg(&a, "alpha")) &&
         (st = rk__parse_option_number(v, "alpha", &o.alpha, &err))) ||
        (seed && (st = rk_rand_seed_key(seed, o.key, &err))))
        return fail("assess", &err, st);
    if (!(o.alpha > 0 && o.alpha < 1)) {
        rk_error_set(&err, RK_EINVAL, "--alpha %s is outside (0, 1)", rk__arg(&a, "alpha"));
        return fail("assess", &err, RK_EINVAL);
    }
    rk_rand_design *d = NULL;
    rk_rand_assessment r;
    if ((st = rk_rand_design_read(path, &d, &err)) || (st = rk_rand_assess(d, &o, &r, &err))) {
        rk_rand_design_free(d);
        return fail("assess", &err, st);
    }
    char desc[512];
    describe_design(d, desc, sizeof desc);
    if (fmt == RK_FMT_JSON) {
        json_t *j = json_object();
        json_object_set_new(j, "design", json_string(path));
        json_object_set_new(j, "procedure", json_string(rk_rand_proc_name(d->proc)));
        json_object_set_new(j, "n", json_integer((json_int_t)r.n));
        json_object_set_new(j, "method", json_string(r.exact ? "exact" : "simulation"));
        json_object_set_new(j, "sequences", json_integer((json_int_t)r.sequences));
        json_object_set_new(j, "expected_correct_guesses", rk__jnum(r.correct_guesses));
        json_object_set_new(j, "proportion_correct_guesses", rk__jnum(r.prop_correct));
        json_object_set_new(j, "se_proportion_correct_guesses", rk__jnum(r.se_prop_correct));
        json_object_set_new(j, "expected_max_imbalance", rk__jnum(r.max_imbalance));
        json_object_set_new(j, "largest_max_imbalance", rk__jnum(r.max_imbalance_worst));
        json_object_set_new(j, "expected_final_imbalance", rk__jnum(r.final_imbalance));
        json_object_set_new(j, "expected_loss", rk__jnum(r.loss));
        json_object_set_new(j, "theta", json_real(o.theta));
        json_object_set_new(j, "alpha", json_real(o.alpha));
        json_object_set_new(j, "chronological_bias_type1_error", rk__jnum(r.chron_t1e));
        json_object_set_new(j, "se_chronological_bias_type1_error", rk__jnum(r.se_chron_t1e));
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        fputc('\n', stdout);
        json_decref(j);
    } else {
        printf("design: %s (%s)\n", path, desc);
        if (r.exact)
            printf("sequence: %s, n = %zu, exact (all %zu sequences enumerated)\n",
                   d->proc == RK_RAND_MINIMIZATION ? "the whole trial" : "one stratum", r.n,
                   r.sequences);
        else
            printf("sequence: %s, n = %zu, by simulation (%zu sequences, seed %s)\n",
                   d->proc == RK_RAND_MINIMIZATION ? "the whole trial" : "one stratum", r.n,
                   r.sequences, seed ? seed : "1");
        printf("expected correct guesses (convergence strategy): %.6g of %zu = %.6g",
               r.correct_guesses, r.n, r.prop_correct);
        if (!r.exact) printf(" (s.e. %.2g)", r.se_prop_correct);
        printf("\nexpected maximum imbalance: %.6g (largest %s: %.6g)\n", r.max_imbalance,
               r.exact ? "possible" : "seen", r.max_imbalance_worst);
        printf("expected final imbalance: %.6g\n", r.final_imbalance);
        printf("expected loss: %.6g\n", r.loss);
        if (isfinite(r.chron_t1e)) {
            printf("chronological bias, linear trend theta = %.6g: type-I error %.6g at alpha = "
                   "%.6g",
                   o.theta, r.chron_t1e, o.alpha);
            if (!r.exact) printf(" (s.e. %.2g)", r.se_chron_t1e);
            printf("\n");
        } else {
            printf("chronological bias: not computed (more than two arms)\n");
        }
    }
    rk_rand_design_free(d);
    return RK_EXIT_OK;
}

int rk__cmd_rand(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        rand_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    if (!strcmp(argv[0], "list")) return cmd_list(argc - 1, argv + 1);
    if (!strcmp(argv[0], "assess")) return cmd_assess(argc - 1, argv + 1);
    fprintf(stderr, "rctkit rand: unknown subcommand '%s'\n\n", argv[0]);
    rand_usage(stderr);
    return RK_EXIT_USAGE;
}
