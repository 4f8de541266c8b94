/* Supply reports: inventory per site by state (blinded), reconciliation per site, and resupply
 * suggestions computed with the arms but returned as kit codes only. */
#include <stdlib.h>
#include <string.h>

#include "supply/supply_internal.h"

rk_status rk_supply_inventory(const rk_supply *s, rk_date on, rk_site_inventory **out,
                              size_t *n_sites, rk_error *err)
{
    const rk_kitlist *l = rk_supply_kits(s);
    *out = NULL;
    *n_sites = 0;
    rk_site_inventory *inv = calloc(l->n + 1, sizeof *inv);
    if (!inv) return rk_error_set(err, RK_ENOMEM, "out of memory");
    size_t n = 1; /* inv[0] is the depot, site "" */
    for (size_t i = 0; i < l->n; i++) {
        const rk_kit *k = &l->kit[i];
        size_t j = 0;
        while (j < n && strcmp(inv[j].site, k->site) != 0)
            j++;
        if (j == n) memcpy(inv[n++].site, k->site, RK_SUPPLY_ID);
        inv[j].count[k->state]++;
        if (k->state == RK_KIT_STORED) {
            if (k->subject[0])
                inv[j].allocated++;
            else if (k->expiry >= on)
                inv[j].usable++;
        }
    }
    /* sites in C-locale order after the depot */
    for (size_t i = 2; i < n; i++)
        for (size_t j = i; j > 1 && strcmp(inv[j - 1].site, inv[j].site) > 0; j--) {
            rk_site_inventory t = inv[j];
            inv[j] = inv[j - 1];
            inv[j - 1] = t;
        }
    *out = inv;
    *n_sites = n;
    return RK_OK;
}

rk_status rk_supply_reconcile(const rk_supply *s, const char *site, rk_reconciliation *r,
                              rk_error *err)
{
    const rk_kitlist *l = rk_supply_kits(s);
    memset(r, 0, sizeof *r);
    if (!site || !*site)
        return rk_error_set(err, RK_EINVAL, "reconciliation is per site: give the site");
    size_t shipped_here = 0;
    for (size_t i = 0; i < l->n; i++) {
        const rk_kit *k = &l->kit[i];
        if (strcmp(k->site, site) != 0) continue;
        shipped_here++;
        switch (k->state) {
        case RK_KIT_SHIPPED: r->in_transit++; break;
        case RK_KIT_RECEIVED:
        case RK_KIT_STORED: r->stored++; break;
        case RK_KIT_DISPENSED: r->dispensed_open++; break;
        case RK_KIT_ADMINISTERED: r->administered++; break;
        case RK_KIT_RETURNED: r->returned++; break;
        case RK_KIT_DESTROYED: r->destroyed++; break;
        case RK_KIT_DAMAGED: r->damaged++; break;
        case RK_KIT_LOST: r->lost++; break;
        case RK_KIT_EXPIRED: r->expired++; break;
        case RK_KIT_QUARANTINED: r->quarantined++; break;
        default: break; /* prepared/packaged kits have no site */
        }
    }
    r->received = shipped_here - r->in_transit;
    size_t sum = r->stored + r->dispensed_open + r->administered + r->returned + r->destroyed +
                 r->damaged + r->lost + r->expired + r->quarantined;
    /* Balanced: every kit received is in exactly one holding or final state, and none is left
     * dispensed without an administration or a return. */
    r->balanced = sum == r->received && r->dispensed_open == 0;
    return RK_OK;
}

static int depot_eligible(const rk_kit *k, rk_date on, int min_shelf_days)
{
    return !k->site[0] && k->expiry >= on + min_shelf_days &&
           (k->state == RK_KIT_PACKAGED || k->state == RK_KIT_PREPARED);
}

rk_status rk_supply_resupply_detail(const rk_supply *s, const char *site, rk_date on,
                                    int min_shelf_days, size_t usable[RK_SUPPLY_MAX_ARMS],
                                    size_t depot[RK_SUPPLY_MAX_ARMS], rk_error *err)
{
    const rk_kitlist *l = rk_supply_kits(s);
    for (size_t a = 0; a < RK_SUPPLY_MAX_ARMS; a++)
        usable[a] = depot[a] = 0;
    for (size_t i = 0; i < l->n; i++) {
        const rk_kit *k = &l->kit[i];
        if (k->arm < 0 || (size_t)k->arm >= l->n_arms)
            return rk_error_set(err, RK_EINVAL, "resupply needs the kit arms");
        if (depot_eligible(k, on, min_shelf_days)) depot[k->arm]++;
        if (strcmp(k->site, site) != 0) continue;
        if ((k->state == RK_KIT_STORED && !k->subject[0] && k->expiry >= on + min_shelf_days) ||
            k->state == RK_KIT_SHIPPED || k->state == RK_KIT_RECEIVED)
            usable[k->arm]++;
    }
    return RK_OK;
}

rk_status rk_supply_resupply(const rk_supply *s, const char *site, rk_date on, size_t trigger,
                             size_t buffer, int min_shelf_days, char (**codes)[RK_KITCODE_SIZE],
                             size_t *n, rk_error *err)
{
    const rk_kitlist *l = rk_supply_kits(s);
    *codes = NULL;
    *n = 0;
    if (buffer < trigger)
        return rk_error_set(err, RK_EINVAL,
                            "the buffer level (%zu) must be at least the trigger "
                            "level (%zu)",
                            buffer, trigger);
    size_t have[RK_SUPPLY_MAX_ARMS], depot[RK_SUPPLY_MAX_ARMS];
    rk_status st = rk_supply_resupply_detail(s, site, on, min_shelf_days, have, depot, err);
    if (st) return st;
    /* Due when any arm runs low; the shipment is then the same for every arm: `buffer` kits of
     * each (fewer, but still the same number of each, when the depot is short of one arm), so
     * neither its size nor its contents say which arm ran low. */
    int due = 0;
    size_t each = buffer;
    for (size_t a = 0; a < l->n_arms; a++) {
        if (have[a] < trigger) due = 1;
        if (depot[a] < each) each = depot[a];
    }
    char(*out)[RK_KITCODE_SIZE] = calloc(l->n ? l->n : 1, sizeof *out);
    unsigned char *pick = calloc(l->n ? l->n : 1, 1);
    if (!out || !pick) {
        free(out);
        free(pick);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    for (size_t a = 0; due && a < l->n_arms; a++) {
        size_t want = each;
        for (size_t i = 0; i < l->n && want > 0; i++) {
            const rk_kit *k = &l->kit[i];
            if (k->arm != (int)a || !depot_eligible(k, on, min_shelf_days)) continue;
            pick[i] = 1;
            want--;
        }
    }
    /* Listed in kit-number order, not arm by arm, so the list's order reveals nothing. */
    for (size_t i = 0; i < l->n; i++)
        if (pick[i]) memcpy(out[(*n)++], l->kit[i].code, RK_KITCODE_SIZE);
    free(pick);
    *codes = out;
    return RK_OK;
}
