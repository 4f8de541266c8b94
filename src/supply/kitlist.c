/* Kit lists: random unique kit codes, arms permuted within blocks of kit numbers, reproducible
 * from a seed; blinded and unblinded CSV files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"
#include "supply/supply_internal.h"

rk_status rk__copy_id(char *dst, size_t size, const char *src, const char *what, int required,
                      rk_error *err)
{
    if (!src) src = "";
    size_t n = strlen(src);
    if (required && n == 0) return rk_error_set(err, RK_EINVAL, "%s is empty: give one", what);
    if (n >= size)
        return rk_error_set(err, RK_EINVAL, "%s '%s' is too long (at most %zu characters)", what,
                            src, size - 1);
    memcpy(dst, src, n + 1);
    return RK_OK;
}

static uint64_t code_hash(const char *c)
{
    uint64_t h = 1469598103934665603ull;
    for (; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    return h;
}

static rk_kitlist *list_alloc(size_t n)
{
    rk_kitlist *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->kit = calloc(n ? n : 1, sizeof *l->kit);
    if (!l->kit) {
        free(l);
        return NULL;
    }
    l->n = n;
    return l;
}

rk_status rk_kitlist_generate(const rk_kitlist_spec *spec, rk_kitlist **out, rk_error *err)
{
    *out = NULL;
    if (!spec->seed || !*spec->seed)
        return rk_error_set(err, RK_EINVAL, "the kit list needs a seed (--seed TEXT)");
    if (spec->n_arms < 2 || spec->n_arms > RK_SUPPLY_MAX_ARMS)
        return rk_error_set(err, RK_EINVAL, "a kit list needs 2 to %d arms, not %zu",
                            RK_SUPPLY_MAX_ARMS, spec->n_arms);
    unsigned mult = spec->block_mult ? spec->block_mult : 1, per = 0;
    for (size_t a = 0; a < spec->n_arms; a++) {
        if (spec->ratio[a] == 0 || spec->ratio[a] > 100)
            return rk_error_set(err, RK_EINVAL, "arm '%s': ratio %u must be 1 to 100",
                                spec->arm[a] ? spec->arm[a] : "", spec->ratio[a]);
        per += spec->ratio[a];
        for (size_t b = 0; b < a; b++) /* allocation finds an arm by name: names must differ */
            if (spec->arm[a] && spec->arm[b] && !strcmp(spec->arm[a], spec->arm[b]))
                return rk_error_set(err, RK_EINVAL, "arm '%s' is named twice", spec->arm[a]);
    }
    size_t block = (size_t)per * mult;
    if (spec->n_blocks == 0 || spec->n_blocks > 10000000 / block)
        return rk_error_set(err, RK_EINVAL, "%zu blocks of %zu kits: give 1 to %zu blocks",
                            spec->n_blocks, block, (size_t)10000000 / block);
    size_t n = spec->n_blocks * block;
    rk_kitlist *l = list_alloc(n);
    size_t hcap = 1;
    while (hcap < 2 * n)
        hcap <<= 1;
    uint32_t *hash = calloc(hcap, sizeof *hash); /* kit index + 1, 0 = empty */
    int *arms = malloc(block * sizeof *arms);
    rk__drbg *d = malloc(sizeof *d);
    rk_status st = RK_OK;
    if (!l || !hash || !arms || !d) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for %zu kits", n);
        goto done;
    }
    l->n_arms = spec->n_arms;
    for (size_t a = 0; a < spec->n_arms; a++)
        if ((st = rk__copy_id(l->arm[a], RK_SUPPLY_ID, spec->arm[a], "arm name", 1, err)))
            goto done;
    rk__drbg_init(d, "rctkit-kitlist-v1", spec->seed);
    for (size_t b = 0; b < spec->n_blocks; b++) {
        size_t k = 0;
        for (size_t a = 0; a < spec->n_arms; a++)
            for (unsigned r = 0; r < spec->ratio[a] * mult; r++)
                arms[k++] = (int)a;
        for (size_t i = block - 1; i > 0; i--) { /* Fisher-Yates */
            size_t j = rk__drbg_uniform(d, (uint32_t)(i + 1));
            int t = arms[i];
            arms[i] = arms[j];
            arms[j] = t;
        }
        for (size_t i = 0; i < block; i++) {
            size_t idx = b * block + i;
            rk_kit *kit = &l->kit[idx];
            kit->number = (uint32_t)(idx + 1);
            kit->arm = arms[i];
            kit->state = RK_KIT_PREPARED;
            if ((st = rk__copy_id(kit->lot, RK_SUPPLY_ID, spec->lot, "lot", 1, err)) ||
                (st = rk__copy_id(kit->batch, RK_SUPPLY_ID, spec->batch[arms[i]], "batch", 0, err)))
                goto done;
            kit->expiry = spec->expiry;
            for (;;) { /* draw a code; redraw on collision */
                for (int s = 0; s < RK_KITCODE_LEN; s++)
                    kit->code[s] = RK_KITCODE_ALPHABET[rk__drbg_uniform(d, RK_KITCODE_RADIX)];
                kit->code[RK_KITCODE_LEN] = 0;
                char c;
                rk_kitcode_check(kit->code, &c, NULL);
                kit->code[RK_KITCODE_LEN] = c;
                kit->code[RK_KITCODE_LEN + 1] = 0;
                size_t h = code_hash(kit->code) & (hcap - 1);
                int dup = 0;
                while (hash[h]) {
                    if (!strcmp(l->kit[hash[h] - 1].code, kit->code)) {
                        dup = 1;
                        break;
                    }
                    h = (h + 1) & (hcap - 1);
                }
                if (dup) continue;
                hash[h] = (uint32_t)(idx + 1);
                break;
            }
        }
    }
done:
    if (d) rk__drbg_wipe(d);
    free(d);
    free(arms);
    free(hash);
    if (st) {
        rk_kitlist_free(l);
        return st;
    }
    *out = l;
    return RK_OK;
}

void rk_kitlist_free(rk_kitlist *l)
{
    if (!l) return;
    free(l->kit);
    free(l);
}

long rk_kitlist_find(const rk_kitlist *l, const char *code)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->kit[i].code, code)) return (long)i;
    return -1;
}

static rk_status write_file(const rk_kitlist *l, const char *path, int unblinded, rk_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f) return rk_error_set(err, RK_EIO, "%s: cannot create: %s", path, strerror(errno));
    if (unblinded)
        fputs("code,arm,batch\n", f);
    else
        fputs("number,code,lot,expiry\n", f);
    for (size_t i = 0; i < l->n; i++) {
        const rk_kit *k = &l->kit[i];
        if (unblinded) {
            fprintf(f, "%s,%s,%s\n", k->code, k->arm >= 0 ? l->arm[k->arm] : "NA", k->batch);
        } else {
            char d[16];
            rk_date_format(k->expiry, d, sizeof d);
            fprintf(f, "%u,%s,%s,%s\n", (unsigned)k->number, k->code, k->lot, d);
        }
    }
    if (fclose(f) != 0) return rk_error_set(err, RK_EIO, "%s: write failed", path);
    return RK_OK;
}

rk_status rk_kitlist_write_blinded(const rk_kitlist *l, const char *path, rk_error *err)
{
    return write_file(l, path, 0, err);
}

rk_status rk_kitlist_write_unblinded(const rk_kitlist *l, const char *path, rk_error *err)
{
    return write_file(l, path, 1, err);
}

static rk_status cols(const rk_table *t, const char *const *names, size_t n, size_t *c,
                      rk_error *err)
{
    for (size_t i = 0; i < n; i++) {
        rk_status st = rk_table_column(t, names[i], &c[i], err);
        if (st) return st;
    }
    return RK_OK;
}

rk_status rk_kitlist_read(const char *blinded_path, const char *unblinded_path, rk_kitlist **out,
                          rk_error *err)
{
    *out = NULL;
    rk_table *t = NULL, *u = NULL;
    rk_kitlist *l = NULL;
    uint32_t *hash = NULL; /* kit index + 1 by code */
    rk_status st = rk_csv_read(blinded_path, &t, err);
    if (st) return st;
    static const char *const bn[] = {"number", "code", "lot", "expiry"};
    size_t c[4];
    if ((st = cols(t, bn, 4, c, err))) goto done;
    size_t n = rk_table_nrows(t);
    size_t hcap = 16;
    while (hcap < 2 * n)
        hcap <<= 1;
    if (!(l = list_alloc(n)) || !(hash = calloc(hcap, sizeof *hash))) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for %zu kits", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        rk_kit *k = &l->kit[i];
        size_t line = rk_table_line(t, i);
        const char *num = rk_table_cell(t, i, c[0]), *code = rk_table_cell(t, i, c[1]);
        char *end;
        errno = 0;
        unsigned long v = strtoul(num, &end, 10);
        if (end == num || *end || errno || v == 0 || v > UINT32_MAX) {
            st = rk_error_set(err, RK_EPARSE, "%s:%zu: kit number '%s' is not a positive integer",
                              blinded_path, line, num);
            goto done;
        }
        k->number = (uint32_t)v;
        if (!rk_kitcode_valid(code)) {
            st = rk_error_set(err, RK_EPARSE,
                              "%s:%zu: '%s' is not a valid kit code (check symbol wrong or "
                              "length not %d): was the file edited?",
                              blinded_path, line, code, RK_KITCODE_LEN + 1);
            goto done;
        }
        memcpy(k->code, code, RK_KITCODE_LEN + 2);
        if ((st = rk__copy_id(k->lot, RK_SUPPLY_ID, rk_table_cell(t, i, c[2]), "lot", 1, err)) ||
            (st = rk_date_parse(rk_table_cell(t, i, c[3]), &k->expiry, err))) {
            char m[RK_ERROR_MSG_MAX];
            snprintf(m, sizeof m, "%s", err ? err->msg : "");
            st = rk_error_set(err, st, "%s:%zu: %s", blinded_path, line, m);
            goto done;
        }
        k->arm = -1;
        k->state = RK_KIT_PREPARED;
        size_t h = code_hash(k->code) & (hcap - 1);
        while (hash[h] && strcmp(l->kit[hash[h] - 1].code, k->code) != 0)
            h = (h + 1) & (hcap - 1);
        if (hash[h]) {
            st = rk_error_set(err, RK_EPARSE, "%s:%zu: kit code %s repeats line %zu", blinded_path,
                              line, k->code, rk_table_line(t, hash[h] - 1));
            goto done;
        }
        hash[h] = (uint32_t)(i + 1);
    }
    if (unblinded_path) {
        if ((st = rk_csv_read(unblinded_path, &u, err))) goto done;
        static const char *const un[] = {"code", "arm"};
        size_t uc[2];
        if ((st = cols(u, un, 2, uc, err))) goto done;
        for (size_t i = 0; i < rk_table_nrows(u); i++) {
            const char *code = rk_table_cell(u, i, uc[0]), *arm = rk_table_cell(u, i, uc[1]);
            size_t h = code_hash(code) & (hcap - 1);
            while (hash[h] && strcmp(l->kit[hash[h] - 1].code, code) != 0)
                h = (h + 1) & (hcap - 1);
            long k = hash[h] ? (long)hash[h] - 1 : -1;
            if (k < 0) {
                st = rk_error_set(err, RK_EPARSE, "%s:%zu: kit %s is not in %s", unblinded_path,
                                  rk_table_line(u, i), code, blinded_path);
                goto done;
            }
            size_t a = 0;
            while (a < l->n_arms && strcmp(l->arm[a], arm) != 0)
                a++;
            if (a == l->n_arms) {
                if (l->n_arms == RK_SUPPLY_MAX_ARMS) {
                    st = rk_error_set(err, RK_EPARSE, "%s:%zu: more than %d arms", unblinded_path,
                                      rk_table_line(u, i), RK_SUPPLY_MAX_ARMS);
                    goto done;
                }
                if ((st = rk__copy_id(l->arm[a], RK_SUPPLY_ID, arm, "arm", 1, err))) goto done;
                l->n_arms++;
            }
            l->kit[k].arm = (int)a;
            long bc = rk_table_find(u, "batch");
            if (bc >= 0 && (st = rk__copy_id(l->kit[k].batch, RK_SUPPLY_ID,
                                             rk_table_cell(u, i, (size_t)bc), "batch", 0, err)))
                goto done;
        }
        for (size_t i = 0; i < l->n; i++)
            if (l->kit[i].arm < 0) {
                st = rk_error_set(err, RK_EPARSE, "%s: kit %s has no arm", unblinded_path,
                                  l->kit[i].code);
                goto done;
            }
    }
done:
    free(hash);
    rk_table_free(t);
    rk_table_free(u);
    if (st) {
        rk_kitlist_free(l);
        return st;
    }
    *out = l;
    return RK_OK;
}
