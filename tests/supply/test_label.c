/* Tests for src/supply/gs1.c and label.c: GTIN check digits, the GS1 element string, and labels
 * of both arms that are identical in layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "rctkit/supply.h"

static void test_gtin(void **state)
{
    (void)state;
    /* published examples: GS1's sample GTIN and the Wikipedia EAN-13 4006381333931 */
    assert_true(rk_gtin_valid("09506000134352"));
    assert_true(rk_gtin_valid("04006381333931"));
    assert_false(rk_gtin_valid("04006381333932"));
    assert_false(rk_gtin_valid("4006381333931"));
    assert_false(rk_gtin_valid("0400638133393A"));
    char buf[128];
    rk_date exp;
    assert_int_equal(rk_date_parse("2020-04-30", &exp, NULL), RK_OK);
    assert_int_equal(
        rk_gs1_element_string("09506000134352", "8CBR73MT6", "PK2001", exp, buf, sizeof buf, NULL),
        RK_OK);
    assert_string_equal(buf, "(01)09506000134352(21)8CBR73MT6(10)PK2001(17)200430");
    rk_error err;
    assert_int_equal(
        rk_gs1_element_string("09506000134353", "8CBR73MT6", "PK2001", exp, buf, sizeof buf, &err),
        RK_EINVAL);
    assert_string_equal(err.msg, "GTIN '09506000134353' is not 14 digits with a valid GS1 check "
                                 "digit: copy it from the GS1 registration (pad a GTIN-13 with a "
                                 "leading 0)");
    assert_int_equal(
        rk_gs1_element_string("09506000134352", "8CBR73MT6", "PK(1)", exp, buf, sizeof buf, &err),
        RK_EINVAL);
}

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void png_dims(const char *p, unsigned *w, unsigned *h)
{
    unsigned char b[24];
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    assert_int_equal(fread(b, 1, 24, f), 24);
    fclose(f);
    assert_int_equal(memcmp(b + 12, "IHDR", 4), 0);
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

static void svg_head(const char *p, char *out, size_t n)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    buf[k] = 0;
    fclose(f);
    char *s = strstr(buf, "<svg");
    assert_non_null(s);
    char *e = strchr(s, '>');
    assert_non_null(e);
    snprintf(out, n, "%.*s", (int)(e - s), s);
}

/* An active and a placebo kit: same dimensions, same header, both files differ (the code). */
static void test_labels_identical_layout(void **state)
{
    (void)state;
    rk_kitlist_spec s;
    memset(&s, 0, sizeof s);
    s.seed = "labels";
    s.n_arms = 2;
    s.arm[0] = "UC-MSC";
    s.arm[1] = "placebo";
    s.ratio[0] = 2;
    s.ratio[1] = 1;
    s.n_blocks = 4;
    s.lot = "PK2001";
    rk_date_parse("2020-04-30", &s.expiry, NULL);
    rk_kitlist *l = NULL;
    assert_int_equal(rk_kitlist_generate(&s, &l, NULL), RK_OK);
    const rk_kit *act = NULL, *pbo = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (l->kit[i].arm == 0 && !act) act = &l->kit[i];
        if (l->kit[i].arm == 1 && !pbo) pbo = &l->kit[i];
    }
    char dir[] = "/tmp/rk_label_XXXXXX", p[4][96];
    assert_non_null(mkdtemp(dir));
    const rk_kit *k2[2] = {act, pbo};
    for (int i = 0; i < 2; i++) {
        snprintf(p[2 * i], sizeof p[0], "%s/%d.svg", dir, i);
        snprintf(p[2 * i + 1], sizeof p[0], "%s/%d.png", dir, i);
        /* rk_label_info has no arm: the label cannot show it */
        rk_label_info in = {.study = "UCMSC-COVID phase 2",
                            .product = "UC-MSC 4x10^7 cells or placebo, 100 ml",
                            .gtin = "09506000134352",
                            .code = k2[i]->code,
                            .lot = k2[i]->lot,
                            .expiry = k2[i]->expiry,
                            .number = k2[i]->number};
        rk_error err;
        if (rk_label_render(&in, p[2 * i], p[2 * i + 1], &err) != RK_OK) fail_msg("%s", err.msg);
    }
    unsigned w0, h0, w1, h1;
    png_dims(p[1], &w0, &h0);
    png_dims(p[3], &w1, &h1);
    assert_int_equal(w0, 1020);
    assert_int_equal(h0, 510);
    assert_int_equal(w0, w1);
    assert_int_equal(h0, h1);
    char s0[512], s1[512];
    svg_head(p[0], s0, sizeof s0);
    svg_head(p[2], s1, sizeof s1);
    assert_string_equal(s0, s1);
    assert_non_null(strstr(s0, "width=\"255pt\""));
    assert_true(file_size(p[0]) > 1000 && file_size(p[2]) > 1000);
    /* the files do differ: each encodes its own code */
    FILE *a = fopen(p[0], "rb"), *b = fopen(p[2], "rb");
    int differ = 0, ca, cb;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        differ |= ca != cb;
    } while (ca != EOF && cb != EOF);
    fclose(a);
    fclose(b);
    assert_true(differ);
    for (int i = 0; i < 4; i++)
        unlink(p[i]);
    rmdir(dir);
    rk_kitlist_free(l);
}

static void test_label_errors(void **state)
{
    (void)state;
    rk_label_info in = {.study = "x",
                        .product = "y",
                        .gtin = "123",
                        .code = "8CBR73MT6",
                        .lot = "PK2001",
                        .expiry = 18000,
                        .number = 1};
    rk_error err;
    assert_int_equal(rk_label_render(&in, NULL, NULL, &err), RK_EINVAL);
    in.gtin = "09506000134352";
    assert_int_equal(rk_label_render(&in, "/nonexistent/dir/a.svg", NULL, &err), RK_EIO);
    assert_int_equal(strncmp(err.msg, "/nonexistent/dir/a.svg: cannot write the SVG label", 50), 0);
}

/* fontconfig (loaded by cairo for the label text) keeps a process-wide cache it never frees. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gtin),
        cmocka_unit_test(test_labels_identical_layout),
        cmocka_unit_test(test_label_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cairo_debug_reset_static_data(); /* let LeakSanitizer see only our own memory */
    return rc;
}
