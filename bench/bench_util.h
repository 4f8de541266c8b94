/* Helpers shared by the benchmarks: wall clock, peak memory, the machine's fsync bound. */
#ifndef RK_BENCH_UTIL_H
#define RK_BENCH_UTIL_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include <sqlite3.h>

/* Monotonic wall-clock seconds. */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Peak resident memory of this process so far, MiB. */
static inline double peak_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

/* qsort comparator for doubles. */
static inline int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The machine's bound: committed (fsync'd) single-row SQLite inserts per second in DIR. */
static inline double raw_fsync_rate(const char *dir, int n)
{
    char path[400];
    snprintf(path, sizeof path, "%s/bench-raw.db", dir);
    remove(path);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) return 0;
    sqlite3_exec(db,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t(id "
                 "INTEGER PRIMARY KEY, subject TEXT, at TEXT);",
                 NULL, NULL, NULL);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(db, "INSERT INTO t(subject, at) VALUES('P0001', '2026-11-30')", -1, &q,
                       NULL);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        sqlite3_step(q); /* autocommit: one transaction, one WAL fsync each */
        sqlite3_reset(q);
    }
    double dt = now() - t0;
    sqlite3_finalize(q);
    sqlite3_close(db);
    char side[420];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
    return n / dt;
}

#endif
