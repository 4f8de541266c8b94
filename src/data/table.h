/* Internal layout of rk_table, shared by the readers and writers in src/data/. */
#ifndef RK_DATA_TABLE_H
#define RK_DATA_TABLE_H

#include <stddef.h>

#include "rctkit/data.h"

/* Bump allocator: strings of tables built row by row live in a few big blocks. */
typedef struct rk__arena_block {
    struct rk__arena_block *next;
    size_t used, cap;
    char data[];
} rk__arena_block;

struct rk_table {
    char *source;
    size_t ncols, nrows, rows_cap;
    char **names;         /* ncols */
    char **labels;        /* ncols, NULL until a label is set; entries may be NULL */
    unsigned char *types; /* ncols rk_coltype */
    char **cells;         /* nrows * ncols, row-major; point into text or the arena */
    size_t *lines;        /* nrows: line (CSV) or record number (other formats) */
    int records;          /* 1: lines[] are record numbers of a binary file */
    char *text;           /* the CSV file's bytes, parsed in place (owned) */
    rk__arena_block *arena;
};

/* Copy s (n bytes) into t's arena, NUL-terminated; NULL when out of memory. */
char *rk__table_strndup(rk_table *t, const char *s, size_t n);
/* Append a row whose cells already live in t's memory (pointers are copied). */
rk_status rk__table_push(rk_table *t, char **cells, size_t line, rk_error *err);
/* An empty table with `source` and no columns yet. */
rk_table *rk__table_alloc(const char *source);

#endif
