/* Internal entry points of Fisher's exact test (exposed for property tests). */
#ifndef RK_STATS_FISHER_H
#define RK_STATS_FISHER_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/stats.h"

/* Upper limit on the (node, past-probability) entries the r x c network
 * algorithm keeps for one column stage; beyond it rk_fisher_test fails with
 * RK_ERANGE (about 40 bytes per entry). */
#define RK_FISHER_MAX_ENTRIES ((size_t)4 << 20)
/* Upper limit on the work of the r x c network algorithm, counted as nr per
 * edge, 1 per carried past and nr x (columns left) per new node: about 1-4 s
 * (-O2); beyond it RK_ERANGE. */
#define RK_FISHER_MAX_WORK ((uint64_t)100000000)

/* Exact two-sided p-value of Fisher's test for any nr x nc table (nr, nc >= 2,
 * no zero margins: validate first) by the network algorithm, whatever its
 * shape, 2x2 included: the sum of the probabilities of all tables with the
 * observed margins whose probability is <= observed * (1 + 1e-7).
 * RK_ERANGE when the network outgrows RK_FISHER_MAX_ENTRIES. */
rk_status rk__fisher_rxc_pvalue(const int64_t *table, size_t nr, size_t nc, double *p,
                                rk_error *err);

#endif
