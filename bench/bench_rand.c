/* Benchmark of randomization lists (slots per second) and design assessment by simulation
 * (sequences per second); run by bench/run_rand.sh.  Prints "name|seconds|detail" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rctkit/rand.h"

#include "bench_util.h"

static rk_rand_design *parse(const char *y)
{
    rk_rand_design *d = NULL;
    rk_error e = {0};
    if (rk_rand_design_parse(y, strlen(y), "bench", &d, &e)) {
        fprintf(stderr, "bench_rand: %s\n", e.msg);
        exit(1);
    }
    return d;
}

static void bench_list(const char *name, const char *yaml)
{
    rk_rand_design *d = parse(yaml);
    unsigned char key[RK_RAND_KEYBYTES];
    rk_rand_seed_key("bench", key, NULL);
    double best = 1e300;
    size_t n = 0;
    for (int rep = 0; rep < 3; rep++) {
        rk_rand_list *l;
        double t0 = now();
        if (rk_rand_list_make(d, key, &l, NULL)) exit(1);
        double t = now() - t0;
        if (t < best) best = t;
        n = l->n;
        rk_rand_list_free(l);
    }
    printf("%s|%.4f|%zu slots, %.3g slots/s (best of 3)\n", name, best, n, (double)n / best);
    rk_rand_design_free(d);
}

static void bench_assess(const char *name, const char *yaml, size_t sims)
{
    rk_rand_design *d = parse(yaml);
    rk_rand_assess_opts o;
    rk_rand_assess_opts_init(&o);
    o.sims = sims;
    rk_rand_assessment r;
    double t0 = now();
    if (rk_rand_assess(d, &o, &r, NULL)) exit(1);
    double t = now() - t0;
    printf("%s|%.4f|%zu sequences of %zu, %.3g sequences/s, prop. correct %.4f\n", name, t,
           r.sequences, r.n, (double)r.sequences / t, r.prop_correct);
    rk_rand_design_free(d);
}

int main(void)
{
    bench_list("list_blocks_2to1_1e6",
               "arms: [{name: T, ratio: 2}, {name: P}]\n"
               "procedure: {name: permuted-blocks, block_sizes: [3, 6]}\nlist_length: 1000000\n");
    bench_list("list_complete_1e6", "arms: [{name: T, ratio: 2}, {name: P}]\n"
                                    "procedure: {name: complete}\nlist_length: 1000000\n");
    bench_list("list_blocks_100_strata_1e4",
               "arms: [{name: T, ratio: 2}, {name: P}]\n"
               "strata: [{name: site, levels: [s00, s01, s02, s03, s04, s05, s06, s07, s08, "
               "s09]}, {name: g, levels: [a, b, c, d, e, f, g, h, i, j]}]\n"
               "procedure: {name: permuted-blocks, block_sizes: [3, 6]}\nlist_length: 10000\n");
    const char *msc = "arms: [{name: T, ratio: 2}, {name: P}]\n"
                      "procedure: {name: permuted-blocks, block_sizes: [3, 6]}\nlist_length: 60\n";
    bench_assess("assess_sim_blocks_n60_1e4", msc, 10000);
    bench_assess("assess_sim_minimization_n60_1e4",
                 "arms: [{name: T, ratio: 2}, {name: P}]\n"
                 "strata: [{name: site, levels: [a, b]}, {name: sex, levels: [F, M]}]\n"
                 "procedure: {name: minimization, p: 0.8}\nlist_length: 60\n",
                 10000);
    bench_assess("assess_exact_blocks_n24",
                 "arms: [{name: A}, {name: B}]\n"
                 "procedure: {name: permuted-blocks, block_sizes: [4]}\nlist_length: 24\n",
                 10000);
    return 0;
}
