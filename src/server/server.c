/* The HTTP side of the concealed-allocation server: libmicrohttpd (one thread per
 * connection), request bodies with a size cap, JSON parsing, password checks and the login
 * rate limit on the connection threads, and the database thread that runs the requests in
 * group-committed transactions. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "rctkit/server.h"
#include "server/api.h"
#include "store/store_int.h"
#include "server/supply_api.h"
#include "store/supply_store.h"

#define MAX_BATCH 512
#define LIMITER_SLOTS 256

typedef enum { JOB_LOOKUP_USER, JOB_LOOKUP_TOKEN, JOB_HANDLE } job_kind;

typedef struct job {
    job_kind kind;
    /* lookups */
    const char *name;
    rk__who who;
    int found;
    /* requests */
    const rk__api_req *req;
    rk__api_resp resp;
    rk_status st;
    rk_error err;
    int done;
    struct job *next;
} job;

typedef struct limiter_slot {
    char name[72];
    int failures;
    int64_t locked_until;
    int64_t last;
} limiter_slot;

struct rk_server {
    rk_server_opts o;
    struct MHD_Daemon *mhd;
    unsigned port;
    rk__api_ctx api;
    char dummy_hash[crypto_pwhash_STRBYTES]; /* checked for unknown users: same timing */
    pthread_t db_thread;
    int db_thread_started;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    job *head, *tail;
    int stopping;
    pthread_mutex_t lim_mu;
    limiter_slot lim[LIMITER_SLOTS];
};

/* ---- the database thread ---- */

/* One log line per event: control characters (a newline in an unblinding's reason) become '?',
 * so that text a user typed cannot forge a line of its own. */
static void server_log(rk_server *s, const char *line)
{
    if (!s->o.log || !line[0]) return;
    char one[sizeof((rk__api_resp *)0)->log];
    size_t i = 0;
    for (; line[i] && i + 1 < sizeof one; i++) {
        unsigned char ch = (unsigned char)line[i];
        one[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    one[i] = '\0';
    s->o.log(s->o.log_ctx, one);
}

static void run_job(rk_server *s, job *j)
{
    rk_error_clear(&j->err);
    switch (j->kind) {
    case JOB_LOOKUP_USER:
        j->found = rk__api_lookup(&s->api, j->name, NULL, &j->who, &j->err);
        break;
    case JOB_LOOKUP_TOKEN:
        j->found = rk__api_lookup(&s->api, NULL, j->name, &j->who, &j->err);
        break;
    case JOB_HANDLE: j->st = rk__api_handle(&s->api, j->req, &j->resp, &j->err); break;
    }
}

static int exec_cached(rk_store *st, const char *sql)
{
    sqlite3_stmt *q = rk__stmt(st, sql, NULL);
    if (!q) return 0;
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE;
}

static const char sql_savepoint[] = "SAVEPOINT rq";
static const char sql_release[] = "RELEASE rq";
static const char sql_rollback_to[] = "ROLLBACK TO rq";

static void fail_job(job *j, int status, const char *msg)
{
    if (j->kind != JOB_HANDLE) {
        j->found = 0;
        return;
    }
    json_decref(j->resp.json);
    j->resp.json = json_pack("{s:s}", "error", msg);
    j->resp.status = status;
    j->resp.log[0] = '\0';
}

static void *db_main(void *arg)
{
    rk_server *s = arg;
    rk_store *st = s->api.store;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->work, &s->mu);
        if (!s->head && s->stopping) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        job *batch = s->head, *last = batch;
        int n = 1;
        while (last->next && n < MAX_BATCH) {
            last = last->next;
            n++;
        }
        s->head = last->next;
        if (!s->head) s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);

        rk_error err = {0};
        int began = rk__begin(st, &err) == RK_OK;
        for (job *j = batch; j; j = j->next) {
            if (!began) {
                fail_job(j, 503, "the database is busy or failing: try again");
                continue;
            }
            if (!exec_cached(st, sql_savepoint)) {
                fail_job(j, 503, "the database is failing: try again");
                continue;
            }
            run_job(s, j);
            if (j->kind == JOB_HANDLE && j->st != RK_OK) {
                exec_cached(st, sql_rollback_to);
                rk__supply_invalidate(s->api.supply); /* it may have moved with the request */
                fail_job(j, j->st == RK_EIO ? 503 : j->st == RK_ESTATE ? 409 : 500, j->err.msg);
            }
            exec_cached(st, sql_release);
        }
        if (began && rk__commit(st, &err) != RK_OK && (rk__supply_invalidate(s->api.supply), 1))
            for (job *j = batch; j; j = j->next)
                fail_job(j, 503, "the database could not commit: try again");
        for (job *j = batch; j; j = j->next)
            if (j->kind == JOB_HANDLE) server_log(s, j->resp.log);
        pthread_mutex_lock(&s->mu);
        for (job *j = batch; j; j = j->next)
            j->done = 1;
        pthread_cond_broadcast(&s->done);
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

/* Queue a job and wait until its transaction is committed (or failed). */
static void submit(rk_server *s, job *j)
{
    j->done = 0;
    j->next = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->work);
    while (!j->done)
        pthread_cond_wait(&s->done, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

/* ---- the login rate limit (per user name) ---- */

/* Seconds the user is still locked out, 0 if not. */
static int limiter_locked(rk_server *s, const char *name)
{
    int64_t now = rk__unix_now();
    int left = 0;
    pthread_mutex_lock(&s->lim_mu);
    for (int i = 0; i < LIMITER_SLOTS; i++)
        if (s->lim[i].name[0] && !strcmp(s->lim[i].name, name) && s->lim[i].locked_until > now)
            left = (int)(s->lim[i].locked_until - now);
    pthread_mutex_unlock(&s->lim_mu);
    return left;
}

static void limiter_record(rk_server *s, const char *name, int ok)
{
    int64_t now = rk__unix_now();
    pthread_mutex_lock(&s->lim_mu);
    int hit = -1, oldest = 0;
    for (int i = 0; i < LIMITER_SLOTS && hit < 0; i++) {
        if (s->lim[i].name[0] && !strcmp(s->lim[i].name, name))
            hit = i;
        else if (s->lim[i].last < s->lim[oldest].last)
            oldest = i;
    }
    if (hit < 0 && !ok) {
        hit = oldest;
        memset(&s->lim[hit], 0, sizeof s->lim[hit]);
        rk__strlcpy(s->lim[hit].name, name, sizeof s->lim[hit].name);
    }
    if (hit >= 0) {
        limiter_slot *l = &s->lim[hit];
        l->last = now;
        if (ok) {
            memset(l, 0, sizeof *l);
        } else if (++l->failures >= s->o.max_failures) {
            l->locked_until = now + s->o.lockout_seconds;
            l->failures = 0;
        }
    }
    pthread_mutex_unlock(&s->lim_mu);
}

/* ---- HTTP ---- */

typedef struct conn {
    rk_buf body;
    int too_large;
} conn;

static enum MHD_Result send_json(struct MHD_Connection *c, int status, json_t *o)
{
    char *txt =
        o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(o);
    if (!txt) {
        status = 500;
        txt = strdup("{\"error\":\"internal error: out of memory\"}");
        if (!txt) return MHD_NO;
    }
    size_t n = strlen(txt);
    char *withnl = realloc(txt, n + 2);
    if (withnl) {
        txt = withnl;
        txt[n++] = '\n';
        txt[n] = '\0';
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(n, txt, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(txt);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *msg)
{
    return send_json(c, status, json_pack("{s:s}", "error", msg));
}

static void client_addr(struct MHD_Connection *c, char *out, size_t size)
{
    rk__strlcpy(out, "?", size);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size);
    }
}

static const char *json_str(json_t *body, const char *k)
{
    json_t *v = json_object_get(body, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static enum MHD_Result handle(rk_server *s, struct MHD_Connection *c, const char *url,
                              const char *method, conn *cc)
{
    if (cc->too_large) {
        char msg[160];
        snprintf(msg, sizeof msg, "request body too large (the limit is %zu bytes)", s->o.max_body);
        return send_error(c, 413, msg);
    }
    int is_post = !strcmp(method, "POST");
    if (!is_post && strcmp(method, "GET") != 0)
        return send_error(c, 405, "only GET and POST are served");
    if (strncmp(url, "/api/", 5) != 0) return send_error(c, 404, "no such endpoint (try /api/)");
    json_t *body = NULL;
    if (is_post) {
        if (cc->body.len == 0) {
            body = json_object();
        } else {
            json_error_t je;
            body = json_loadb(cc->body.data, cc->body.len, JSON_REJECT_DUPLICATES, &je);
            if (!body) {
                char msg[300];
                snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", je.line,
                         je.column, je.text);
                return send_error(c, 400, msg);
            }
            if (!json_is_object(body)) {
                json_decref(body);
                return send_error(c, 400, "the request body must be a JSON object");
            }
        }
    } else if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length") &&
               cc->body.len > 0) {
        return send_error(c, 400, "GET requests take no body");
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *token = (auth && !strncmp(auth, "Bearer ", 7)) ? auth + 7 : NULL;
    char client[64];
    client_addr(c, client, sizeof client);
    rk__api_req req = {.method = method,
                       .path = url,
                       .token = token,
                       .body = body,
                       .client = client,
                       .pw = RK__PW_NONE};
    req.query_after = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
    req.query_on = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "on");
    char pwhash[crypto_pwhash_STRBYTES];
    job j;
    memset(&j, 0, sizeof j);

    if (is_post && !strcmp(url, "/api/login")) {
        const char *user = json_str(body, "username"), *pw = json_str(body, "password");
        if (user && pw && strlen(user) <= 64 && strlen(pw) <= 1024) {
            int left = limiter_locked(s, user);
            if (left > 0) {
                req.pw = RK__PW_LOCKED;
                req.lock_seconds = left;
            } else {
                j.kind = JOB_LOOKUP_USER;
                j.name = user;
                submit(s, &j);
                int ok = rk_password_check(j.found ? j.who.pwhash : s->dummy_hash, pw) && j.found;
                limiter_record(s, user, ok);
                req.pw = ok ? RK__PW_OK : RK__PW_WRONG;
            }
        }
    } else if (is_post && token && !strncmp(url, "/api/subjects/", 14) &&
               ends_with(url, "/unblind")) {
        const char *pw = json_str(body, "password");
        j.kind = JOB_LOOKUP_TOKEN;
        j.name = token;
        submit(s, &j);
        if (j.found && pw && strlen(pw) <= 1024) {
            int left = limiter_locked(s, j.who.username);
            if (left > 0) {
                req.pw = RK__PW_LOCKED;
                req.lock_seconds = left;
            } else {
                int ok = rk_password_check(j.who.pwhash, pw);
                limiter_record(s, j.who.username, ok);
                req.pw = ok ? RK__PW_OK : RK__PW_WRONG;
            }
        }
    } else if (is_post && token && !strcmp(url, "/api/users")) {
        const char *pw = json_str(body, "password");
        j.kind = JOB_LOOKUP_TOKEN;
        j.name = token;
        submit(s, &j);
        rk_error e2;
        if (j.found && j.who.role == RK_ROLE_ADMIN && pw &&
            rk_password_hash(pw, s->o.pwcost, pwhash, sizeof pwhash, &e2) == RK_OK)
            req.new_pwhash = pwhash;
    }
    sodium_memzero(&j.who, sizeof j.who);
    memset(&j, 0, sizeof j);
    j.kind = JOB_HANDLE;
    j.req = &req;
    submit(s, &j);
    json_decref(body);
    return send_json(c, j.resp.status, j.resp.json);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    rk_server *s = cls;
    conn *cc = *con_cls;
    if (!cc) {
        cc = calloc(1, sizeof *cc);
        if (!cc) return MHD_NO;
        rk_buf_init(&cc->body, s->o.max_body);
        *con_cls = cc;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cc->too_large && rk_buf_append(&cc->body, upload_data, *upload_size, NULL) != RK_OK) {
            cc->too_large = 1;
            rk_buf_free(&cc->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return handle(s, c, url, method, cc);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn *cc = *con_cls;
    if (cc) {
        rk_buf_free(&cc->body);
        free(cc);
    }
    *con_cls = NULL;
}

void rk_server_opts_init(rk_server_opts *o)
{
    memset(o, 0, sizeof *o);
    o->bind = "127.0.0.1";
    o->session_ttl = 1800;
    o->max_body = 65536;
    o->max_failures = 5;
    o->lockout_seconds = 60;
    o->pwcost = RK_PWCOST_INTERACTIVE;
    o->max_connections = 256;
}

unsigned rk_server_port(const rk_server *s)
{
    return s ? s->port : 0;
}

void rk_server_stop(rk_server *s)
{
    if (!s) return;
    if (s->mhd) MHD_stop_daemon(s->mhd);
    if (s->db_thread_started) {
        pthread_mutex_lock(&s->mu);
        s->stopping = 1;
        pthread_cond_broadcast(&s->work);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->db_thread, NULL);
    }
    rk__supply_cache_free(s->api.supply);
    rk__trial_free(s->api.trial);
    rk__dyn_free(s->api.dyn);
    rk_store_close(s->api.store);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->lim_mu);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->done);
    free(s);
}

rk_status rk_server_start(const rk_server_opts *o, rk_server **out, rk_error *err)
{
    *out = NULL;
    if (!o->db) return rk_error_set(err, RK_EINVAL, "the server needs a trial database (--db)");
    if (sodium_init() < 0) return rk_error_set(err, RK_EINTERNAL, "libsodium failed to start");
    rk_server *s = calloc(1, sizeof *s);
    if (!s) return rk_error_set(err, RK_ENOMEM, "out of memory");
    s->o = *o;
    rk_server_opts d;
    rk_server_opts_init(&d);
    if (!s->o.bind) s->o.bind = d.bind;
    if (s->o.session_ttl <= 0) s->o.session_ttl = d.session_ttl;
    if (!s->o.max_body) s->o.max_body = d.max_body;
    if (s->o.max_failures <= 0) s->o.max_failures = d.max_failures;
    if (s->o.lockout_seconds <= 0) s->o.lockout_seconds = d.lockout_seconds;
    if (!s->o.max_connections) s->o.max_connections = d.max_connections;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->lim_mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->done, NULL);
    s->api.session_ttl = s->o.session_ttl;
    s->api.kit = s->o.kit;
    s->api.kit_ctx = s->o.kit_ctx;
    if (!s->api.kit) { /* the trial's own kits, when it tracks them (src/server/supply_api.c) */
        s->api.kit = rk__supply_kit_hook;
        s->api.kit_ctx = &s->api;
    }
    rk_status st = rk_store_open(s->o.db, 0, &s->api.store, err);
    if (st == RK_OK) st = rk__trial_load(s->api.store, &s->api.trial, err);
    if (st == RK_OK) st = rk__dyn_load(s->api.store, &s->api.dyn, err);
    if (st == RK_OK) {
        unsigned char r[16];
        char pw[33];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(pw, sizeof pw, r, sizeof r);
        /* same cost as real users' hashes so an unknown name takes as long as a known one */
        st = rk_password_hash(pw, s->o.pwcost, s->dummy_hash, sizeof s->dummy_hash, err);
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)s->o.port);
    if (st == RK_OK && inet_pton(AF_INET, s->o.bind, &addr.sin_addr) != 1)
        st = rk_error_set(err, RK_EINVAL, "--bind: '%s' is not an IPv4 address", s->o.bind);
    if (st == RK_OK) {
        if (pthread_create(&s->db_thread, NULL, db_main, s) != 0)
            st = rk_error_set(err, RK_EINTERNAL, "cannot start the database thread");
        else
            s->db_thread_started = 1;
    }
    if (st == RK_OK) {
        s->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                                  0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                  (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
                                  on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
                                  s->o.max_connections, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                                  MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
        if (!s->mhd)
            st = rk_error_set(err, RK_EIO, "cannot listen on %s:%u (in use, or not allowed?)",
                              s->o.bind, s->o.port);
    }
    if (st == RK_OK) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
        s->port = di ? di->port : s->o.port;
    }
    if (st != RK_OK) {
        rk_server_stop(s);
        return st;
    }
    *out = s;
    return RK_OK;
}
