/* `rctkit serve`: run the concealed-allocation server until SIGINT or SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cmd_server.h"
#include "rctkit/server.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static const rk__opt serve_opts[] = {
    {"db", "FILE", "trial database (made by 'rctkit trial init')"},
    {"bind", "ADDR", "IPv4 address to listen on (default 127.0.0.1)"},
    {"port", "N", "TCP port (default 8080; 0: any free port)"},
    {"session-ttl", "SECONDS", "how long a login lasts (default 1800)"},
    {"max-body", "BYTES", "largest request body (default 65536)"},
    {"max-failures", "N", "wrong passwords in a row before a lockout (default 5)"},
    {"lockout", "SECONDS", "lockout length (default 60)"},
    {"pwcost", "COST", "Argon2id cost for users added via the API: interactive, moderate, min"},
    {"port-file", "FILE", "write the port number there once listening"},
};

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char at[32];
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s rctkit serve: %s\n", at, line);
}

static int num_opt(const char *v, const char *name, long lo, long hi, long *out)
{
    if (!v) return 1;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) {
        fprintf(stderr, "rctkit serve: --%s must be a whole number from %ld to %ld, not '%s'\n",
                name, lo, hi, v);
        return 0;
    }
    *out = x;
    return 1;
}

int rk__cmd_serve(int argc, char **argv)
{
    rk__args a;
    rk_error err = {0};
    rk_status st = rk__args_parse(&a, serve_opts, NOPTS(serve_opts), argc, argv, &err);
    if (st) {
        fprintf(stderr, "rctkit serve: %s\n", err.msg);
        return rk__exit_code(st);
    }
    if (a.help) {
        rk__print_usage(stdout, "rctkit serve --db FILE [--port N]",
                        "Serve the trial's randomization over HTTP + JSON (see docs/server.md). "
                        "Stop with Ctrl-C.",
                        serve_opts, NOPTS(serve_opts));
        return RK_EXIT_OK;
    }
    rk_server_opts o;
    rk_server_opts_init(&o);
    o.db = rk__arg(&a, "db");
    if (!o.db) {
        fprintf(stderr, "rctkit serve: --db FILE is required\n");
        return RK_EXIT_USAGE;
    }
    if (rk__arg(&a, "bind")) o.bind = rk__arg(&a, "bind");
    long port = 8080, ttl = o.session_ttl, body = (long)o.max_body, fails = o.max_failures,
         lock = o.lockout_seconds;
    if (!num_opt(rk__arg(&a, "port"), "port", 0, 65535, &port) ||
        !num_opt(rk__arg(&a, "session-ttl"), "session-ttl", 1, 86400 * 30, &ttl) ||
        !num_opt(rk__arg(&a, "max-body"), "max-body", 256, 64L << 20, &body) ||
        !num_opt(rk__arg(&a, "max-failures"), "max-failures", 1, 1000, &fails) ||
        !num_opt(rk__arg(&a, "lockout"), "lockout", 1, 86400, &lock))
        return RK_EXIT_USAGE;
    o.port = (unsigned)port;
    o.session_ttl = (int)ttl;
    o.max_body = (size_t)body;
    o.max_failures = (int)fails;
    o.lockout_seconds = (int)lock;
    const char *cost = rk__arg(&a, "pwcost");
    if (cost && !strcmp(cost, "min"))
        o.pwcost = RK_PWCOST_MIN;
    else if (cost && !strcmp(cost, "moderate"))
        o.pwcost = RK_PWCOST_MODERATE;
    else if (cost && strcmp(cost, "interactive")) {
        fprintf(stderr, "rctkit serve: --pwcost must be interactive, moderate or min, not '%s'\n",
                cost);
        return RK_EXIT_USAGE;
    }
    o.log = log_line;
    /* block the stop signals before any thread starts, then wait for them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    rk_server *s = NULL;
    if ((st = rk_server_start(&o, &s, &err))) {
        fprintf(stderr, "rctkit serve: %s\n", err.msg);
        return rk__exit_code(st);
    }
    char line[200];
    snprintf(line, sizeof line, "listening on http://%s:%u (trial database %s)", o.bind,
             rk_server_port(s), o.db);
    log_line(NULL, line);
    const char *pf = rk__arg(&a, "port-file");
    if (pf) {
        FILE *f = fopen(pf, "w");
        if (f) {
            fprintf(f, "%u\n", rk_server_port(s));
            fclose(f);
        }
    }
    int sig = 0;
    sigwait(&set, &sig);
    log_line(NULL, "stopping");
    rk_server_stop(s);
    return RK_EXIT_OK;
}
