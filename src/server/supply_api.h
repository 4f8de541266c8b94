/* The server's supply endpoints (/api/supply/...) and the kit allocation at randomization. */
#ifndef RK_SERVER_SUPPLY_API_H
#define RK_SERVER_SUPPLY_API_H

#include "rctkit/supply.h"
#include "server/api.h"

/* Handle a request routed to /api/supply/... (roles already checked by the route table). */
rk_status rk__supply_handle(rk__api_ctx *c, const rk__api_req *r, const rk__who *me,
                            rk__api_resp *resp, rk_error *err);

/* The kit code hook (rk_kit_fn of rctkit/server.h) that rctkit serve uses unless another is
 * given; ctx is the rk__api_ctx.  Called inside the randomize transaction once the arm is known:
 * sets the subject's arm and site in the trial's tracking state and allocates the subject's
 * first kit (its kit_allocate record, done by `user`, goes to the audit chain in the same
 * transaction).  Writes
 * "" when the trial tracks no kits.  RK_ESTATE when no kit can be allocated (the server then
 * refuses the randomization); the tracking state is then rebuilt before its next use. */
rk_status rk__supply_kit_hook(void *ctx, const char *subject, const char *site, const char *arm,
                              const char *user, char *code, size_t code_size, rk_error *err);

#endif
