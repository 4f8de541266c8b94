/* The server's supply endpoints (/api/supply/...) and the kit allocation at randomization. */
#ifndef RK_SERVER_SUPPLY_API_H
#define RK_SERVER_SUPPLY_API_H

#include "rctkit/supply.h"
#include "server/api.h"

/* Handle a request routed to /api/supply/... (roles already checked by the route table). */
rk_status rk__supply_handle(rk__api_ctx *c, const rk__api_req *r, const rk__who *me,
                            rk__api_resp *resp, rk_error *err);

/* Called by the randomize endpoint after the allocation row is written: allocates the
 * subject's first kit (of the subject's arm, at the subject's site) in the same transaction.
 * kit_out is "" when the trial tracks no kits.  RK_ESTATE when no kit can be allocated: the
 * request must then be rolled back (the subject stays unrandomized). */
rk_status rk__supply_on_randomize(rk__api_ctx *c, const char *subject, const char *who,
                                  char kit_out[RK_KITCODE_SIZE], rk_error *err);

#endif
