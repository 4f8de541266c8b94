/* Load generator for the concealed-allocation server: durable randomizations per second and
 * p50/p99 latency with C concurrent clients over loopback HTTP, beside the machine's own bound
 * (SQLite inserts, WAL + synchronous FULL, one transaction each, in a loop).
 *
 * Twice: a trial serving an uploaded list (4 strata), then a trial randomized at allocation
 * time by Pocock-Simon minimization (2:1, factors site and sex with weights 1 and 2, p 0.8),
 * whose allocations are all replayed from the seed after the run.
 *
 * usage: bench_server [CLIENTS (32)] [PER_CLIENT (200)] [DIR (.)]
 * DIR is where the raw-bound database goes (use the disk the server would use); the trials go
 * in /tmp. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "../tests/server/server_util.h"

#include "bench_util.h"

typedef struct client {
    unsigned port;
    int id, n;
    double *lat; /* n latencies of randomize requests */
    int errors;
    char tok[65];
} client;

static pthread_barrier_t start_line;

static void *run(void *arg)
{
    client *c = arg;
    rk__http h = {.fd = -1, .port = c->port};
    const char *inv = c->id % 2 ? "inv2" : "inv1";
    if (tu_login(&h, inv, c->tok)) c->errors++;
    /* enrol this client's subjects first (not timed) */
    for (int i = 0; i < c->n; i++) {
        char id[32], body[300];
        snprintf(id, sizeof id, "B%02d%05d", c->id, i);
        tu_enrol_body(body, sizeof body, id, i % 2 ? "M" : "F");
        int st;
        json_decref(tu_req(&h, "POST", "/api/subjects", c->tok, body, &st, NULL));
        if (st != 201) c->errors++;
    }
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < c->n; i++) {
        char path[100];
        snprintf(path, sizeof path, "/api/subjects/B%02d%05d/randomize", c->id, i);
        int st;
        double t0 = now();
        json_decref(tu_req(&h, "POST", path, c->tok, NULL, &st, NULL));
        c->lat[i] = now() - t0;
        if (st != 200) c->errors++;
    }
    pthread_barrier_wait(&start_line);
    rk__http_close(&h);
    return NULL;
}

/* One server run (list or minimization trial); 0 when every request succeeded and the
 * checks after the run hold. */
static int serve_run(int dynamic, int nc, int per, double raw)
{
    tu_trial t;
    if (dynamic)
        tu_make_dyn_trial(&t, "{name: minimization, p: 0.8}");
    else
        tu_make_trial(&t, (nc * per) / 4 + 8); /* enough slots in each of the 4 strata */
    rk_server *srv = tu_start(&t, 0);
    client *c = calloc((size_t)nc, sizeof *c);
    pthread_t *th = calloc((size_t)nc, sizeof *th);
    pthread_barrier_init(&start_line, NULL, (unsigned)nc + 1);
    for (int i = 0; i < nc; i++) {
        c[i].port = rk_server_port(srv);
        c[i].id = i;
        c[i].n = per;
        c[i].lat = calloc((size_t)per, sizeof(double));
        pthread_create(&th[i], NULL, run, &c[i]);
    }
    pthread_barrier_wait(&start_line); /* all enrolled: go */
    double t0 = now();
    pthread_barrier_wait(&start_line); /* all randomized */
    double dt = now() - t0;
    for (int i = 0; i < nc; i++)
        pthread_join(th[i], NULL);
    rk_server_stop(srv);
    size_t n = (size_t)nc * (size_t)per;
    double *all = malloc(n * sizeof *all);
    int errors = 0;
    for (int i = 0; i < nc; i++) {
        memcpy(all + (size_t)i * (size_t)per, c[i].lat, (size_t)per * sizeof(double));
        errors += c[i].errors;
        free(c[i].lat);
    }
    qsort(all, n, sizeof *all, cmp_d);
    double rate = (double)n / dt;
    printf("%s: %zu randomizations by %d clients in %.2f s: %.0f durable randomizations/s\n",
           dynamic ? "minimization (allocation time)" : "list", n, nc, dt, rate);
    printf("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms; errors: %d\n", 1e3 * all[n / 2],
           1e3 * all[(size_t)(0.99 * (double)(n - 1))], 1e3 * all[n - 1], errors);
    printf("ratio to the raw bound: %.2f\n", rate / raw);
    int ok = tu_verify(t.db, NULL);
    printf("audit chain after the run: %s\n", ok ? "intact" : "BROKEN");
    if (dynamic) {
        size_t nr = tu_replay_ok(t.db);
        printf("replay from the seed: %s\n", nr == n ? "all allocations match" : "MISMATCH");
        ok = ok && nr == n;
    }
    tu_remove_trial(&t);
    free(all);
    free(c);
    free(th);
    pthread_barrier_destroy(&start_line);
    return errors || !ok;
}

int main(int argc, char **argv)
{
    int nc = argc > 1 ? tu_int(argv[1]) : 32;
    int per = argc > 2 ? tu_int(argv[2]) : 200;
    const char *dir = argc > 3 ? argv[3] : ".";
    if (nc < 1 || nc > 256 || per < 1) {
        fprintf(stderr, "usage: bench_server [CLIENTS] [PER_CLIENT] [DIR]\n");
        return 2;
    }
    double raw = raw_fsync_rate(dir, 2000);
    printf("raw bound: %.0f committed SQLite inserts/s (WAL, synchronous FULL, one fsync each)\n",
           raw);
    int bad = serve_run(0, nc, per, raw);
    bad |= serve_run(1, nc, per, raw);
    return bad;
}
