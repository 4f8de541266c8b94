/* Kit scans through the server: durable scans per second and p50/p99 latency with C concurrent
 * clients over loopback HTTP, each scan a kit transition written with its audit record (the
 * BLAKE2b chain) before the response, beside the machine's own bound (SQLite inserts, WAL +
 * synchronous FULL, one transaction each) and the library alone (the store sink, one
 * transaction per scan, no HTTP).
 *
 * usage: bench_server_supply [CLIENTS (16)] [KITS_PER_CLIENT (100)] [DIR (.)]
 * Every kit is scanned twice (received, then stored), so 2 x CLIENTS x KITS_PER_CLIENT scans. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "../tests/server/server_util.h"
#include "rctkit/supply.h"
#include "store/store_int.h"

#include "bench_util.h"

static void die(const char *what, const rk_error *e)
{
    fprintf(stderr, "bench_server_supply: %s: %s\n", what, e->msg);
    exit(1);
}

/* A trial in t with n kits (arms arm_a/arm_b), shipped to S01 in one transaction. */
static rk_kitlist *setup(tu_trial *t, size_t n)
{
    tu_make_trial(t, 8);
    rk_kitlist_spec spec = {.seed = "bench",
                            .n_arms = 2,
                            .arm = {"arm_a", "arm_b"},
                            .ratio = {1, 1},
                            .n_blocks = (n + 1) / 2,
                            .lot = "L1",
                            .batch = {"BA", "BB"}};
    rk_error e = {0};
    rk_date_parse("2099-12-31", &spec.expiry, &e);
    rk_kitlist *l = NULL;
    if (rk_kitlist_generate(&spec, &l, &e)) die("kit list", &e);
    rk_batch_release b[2];
    memset(b, 0, sizeof b);
    for (int i = 0; i < 2; i++) {
        snprintf(b[i].batch, sizeof b[i].batch, "%s", i ? "BB" : "BA");
        b[i].viability_trypan = b[i].viability_7aad = 95;
        b[i].cd73 = b[i].cd90 = b[i].cd105 = 99;
        b[i].cd34 = b[i].cd45 = b[i].cd11b = b[i].cd19 = b[i].hla_dr = 0.5;
        b[i].sterile = 1;
        b[i].placebo = i;
    }
    rk_store *s = NULL;
    rk_supply *sup = NULL;
    if (rk_store_open(t->db, 0, &s, &e) || rk_supply_store_load(s, l, b, 2, "depot", &e) ||
        rk_supply_store_open(s, &sup, &e) || rk__begin(s, &e))
        die("load", &e);
    for (size_t i = 0; i < l->n; i++) {
        rk_scan sc = {.kit = l->kit[i].code,
                      .to = RK_KIT_PACKAGED,
                      .who = "depot",
                      .role = RK_ROLE_ADMIN,
                      .when = 1767225600,
                      .site = "S01",
                      .shipment = "SH1"};
        if (rk_supply_scan(sup, &sc, &e)) die("pack", &e);
        sc.to = RK_KIT_SHIPPED;
        if (rk_supply_scan(sup, &sc, &e)) die("ship", &e);
    }
    if (rk__commit(s, &e)) die("commit", &e);
    rk_supply_free(sup);
    rk_store_close(s);
    return l;
}

/* The library alone: n scans (received), each its own transaction through the store sink. */
static double library_rate(const char *dir, size_t n)
{
    tu_trial t;
    rk_kitlist *l = setup(&t, n);
    (void)dir;
    rk_store *s = NULL;
    rk_supply *sup = NULL;
    rk_error e = {0};
    if (rk_store_open(t.db, 0, &s, &e) || rk_supply_store_open(s, &sup, &e)) die("open", &e);
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        rk_scan sc = {.kit = l->kit[i].code,
                      .to = RK_KIT_RECEIVED,
                      .who = "pha1",
                      .role = RK_ROLE_PHARMACIST,
                      .when = 1767312000,
                      .site = "S01"};
        if (rk_supply_scan(sup, &sc, &e)) die("scan", &e); /* one savepoint = one commit */
    }
    double dt = now() - t0;
    rk_supply_free(sup);
    rk_store_close(s);
    rk_kitlist_free(l);
    tu_remove_trial(&t);
    return (double)n / dt;
}

typedef struct client {
    unsigned port;
    const rk_kitlist *l;
    size_t from, n;
    double *lat; /* 2n latencies */
    int errors;
} client;

static pthread_barrier_t start_line;

static void *run(void *arg)
{
    client *c = arg;
    rk__http h = {.fd = -1, .port = c->port};
    char tok[65];
    if (tu_login(&h, c->from % 2 ? "inv1" : "pha1", tok)) c->errors++;
    pthread_barrier_wait(&start_line);
    static const char *const body[2] = {"{\"to\": \"received\"}",
                                        "{\"to\": \"stored\", \"where\": \"fridge 1\"}"};
    for (size_t i = 0; i < c->n; i++) {
        char path[100];
        snprintf(path, sizeof path, "/api/supply/kits/%s/scan", c->l->kit[c->from + i].code);
        for (int s = 0; s < 2; s++) {
            int st;
            double t0 = now();
            json_decref(tu_req(&h, "POST", path, tok, body[s], &st, NULL));
            c->lat[2 * i + (size_t)s] = now() - t0;
            if (st != 200) c->errors++;
        }
    }
    pthread_barrier_wait(&start_line);
    rk__http_close(&h);
    return NULL;
}

int main(int argc, char **argv)
{
    int nc = argc > 1 ? tu_int(argv[1]) : 16;
    int per = argc > 2 ? tu_int(argv[2]) : 100;
    const char *dir = argc > 3 ? argv[3] : ".";
    if (nc < 1 || nc > 256 || per < 1) {
        fprintf(stderr, "usage: bench_server_supply [CLIENTS] [KITS_PER_CLIENT] [DIR]\n");
        return 2;
    }
    double raw = raw_fsync_rate(dir, 2000);
    printf("raw bound: %.0f committed SQLite inserts/s (WAL, synchronous FULL, one fsync each)\n",
           raw);
    double lib = library_rate(dir, 1000);
    printf("library + store sink, one transaction per scan: %.0f scans/s\n", lib);

    tu_trial t;
    size_t nk = (size_t)nc * (size_t)per;
    rk_kitlist *l = setup(&t, nk);
    rk_server *srv = tu_start(&t, 0);
    client *c = calloc((size_t)nc, sizeof *c);
    pthread_t *th = calloc((size_t)nc, sizeof *th);
    pthread_barrier_init(&start_line, NULL, (unsigned)nc + 1);
    for (int i = 0; i < nc; i++) {
        c[i].port = rk_server_port(srv);
        c[i].l = l;
        c[i].from = (size_t)i * (size_t)per;
        c[i].n = (size_t)per;
        c[i].lat = calloc(2 * (size_t)per, sizeof(double));
        pthread_create(&th[i], NULL, run, &c[i]);
    }
    pthread_barrier_wait(&start_line);
    double t0 = now();
    pthread_barrier_wait(&start_line);
    double dt = now() - t0;
    for (int i = 0; i < nc; i++)
        pthread_join(th[i], NULL);
    rk_server_stop(srv);
    size_t n = 2 * nk;
    double *all = malloc(n * sizeof *all);
    int errors = 0;
    for (int i = 0; i < nc; i++) {
        memcpy(all + 2 * (size_t)i * (size_t)per, c[i].lat, 2 * (size_t)per * sizeof(double));
        errors += c[i].errors;
        free(c[i].lat);
    }
    qsort(all, n, sizeof *all, cmp_d);
    double rate = (double)n / dt;
    printf("server: %zu scans by %d clients in %.2f s: %.0f durable scans/s\n", n, nc, dt, rate);
    printf("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms; errors: %d\n", 1e3 * all[n / 2],
           1e3 * all[(size_t)(0.99 * (double)(n - 1))], 1e3 * all[n - 1], errors);
    printf("ratio to the raw bound: %.2f\n", rate / raw);
    int64_t nrec = 0;
    int ok = tu_verify(t.db, &nrec);
    printf("audit chain after the run: %s (%lld records)\n", ok ? "intact" : "BROKEN",
           (long long)nrec);
    tu_remove_trial(&t);
    rk_kitlist_free(l);
    free(all);
    free(c);
    free(th);
    pthread_barrier_destroy(&start_line);
    return errors || !ok;
}
