/* Kit labels: a GS1 DataMatrix and a Code 128 symbol encoded by libzint, drawn with cairo onto
 * one fixed layout with the human-readable lines, written as SVG and PNG. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo-svg.h>
#include <cairo.h>
#include <zint.h>

#include "rctkit/supply.h"

/* Label size in points (1 pt = 1/72 in): 90 mm x 45 mm. */
#define LABEL_W 255.0
#define LABEL_H 127.5
#define PNG_SCALE 4.0 /* PNG at 288 dpi */

static rk_status encode(struct zint_symbol **out, int symbology, int input_mode, int option_2,
                        const char *data, const char *what, rk_error *err)
{
    struct zint_symbol *z = ZBarcode_Create();
    if (!z) return rk_error_set(err, RK_ENOMEM, "out of memory (zint)");
    z->symbology = symbology;
    z->input_mode = input_mode;
    z->option_2 = option_2;
    z->show_hrt = 0; /* the label draws its own text in a fixed place */
    int rc = ZBarcode_Encode(z, (const unsigned char *)data, (int)strlen(data));
    if (rc < ZINT_ERROR) rc = ZBarcode_Buffer_Vector(z, 0);
    if (rc >= ZINT_ERROR) {
        rk_status st = rk_error_set(err, RK_EINVAL, "%s '%s': libzint: %s", what, data, z->errtxt);
        ZBarcode_Delete(z);
        return st;
    }
    *out = z;
    return RK_OK;
}

/* Draw the symbol's dark rectangles scaled into the box (x, y, w, h), keeping module shapes when
 * keep_aspect. */
static void draw_symbol(cairo_t *cr, const struct zint_symbol *z, double x, double y, double w,
                        double h, int keep_aspect)
{
    const struct zint_vector *v = z->vector;
    double sx = w / v->width, sy = h / v->height;
    if (keep_aspect) sx = sy = fmin(sx, sy);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (const struct zint_vector_rect *r = v->rectangles; r; r = r->next) {
        if (r->colour > 0 && r->colour != 7) continue; /* only foreground/black */
        cairo_rectangle(cr, x + r->x * sx, y + r->y * sy, r->width * sx, r->height * sy);
    }
    cairo_fill(cr);
}

static void text(cairo_t *cr, double x, double y, double size, int bold, const char *s)
{
    cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

static void draw(cairo_t *cr, const rk_label_info *in, const struct zint_symbol *dm,
                 const struct zint_symbol *c128)
{
    char line[128], d[16];
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.75);
    cairo_rectangle(cr, 2, 2, LABEL_W - 4, LABEL_H - 4);
    cairo_stroke(cr);
    draw_symbol(cr, dm, 8, 8, 62, 62, 1);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, 78, 16, 7, 1, in->study ? in->study : "");
    text(cr, 78, 26, 6, 0, in->product ? in->product : "");
    snprintf(line, sizeof line, "KIT %s   No. %06u", in->code, (unsigned)in->number);
    text(cr, 78, 38, 8, 1, line);
    snprintf(line, sizeof line, "(01) %s", in->gtin);
    text(cr, 78, 48, 6.5, 0, line);
    rk_date_format(in->expiry, d, sizeof d);
    snprintf(line, sizeof line, "(10) LOT %s   (17) EXP %s", in->lot, d);
    text(cr, 78, 57, 6.5, 0, line);
    text(cr, 78, 67, 6, 0, "For clinical trial use only. Store at 8-12 C.");
    /* 200 pt of bars for 134 modules: 1.49 pt per module, so the 27.5 pt margins leave the
     * 10-module quiet zone Code 128 needs. */
    draw_symbol(cr, c128, (LABEL_W - 200) / 2, 78, 200, 30, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    /* Centred under the bars: a monospace font, so every code has the same width. */
    cairo_text_extents_t e;
    cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 8);
    cairo_text_extents(cr, "MMMMMMMMM", &e);
    text(cr, LABEL_W / 2 - e.x_advance / 2, 118, 8, 0, in->code);
}

rk_status rk_label_render(const rk_label_info *info, const char *path_svg, const char *path_png,
                          rk_error *err)
{
    char gs1[128];
    rk_status st = rk_gs1_element_string(info->gtin, info->code, info->lot, info->expiry, gs1,
                                         sizeof gs1, err);
    if (st) return st;
    struct zint_symbol *dm = NULL, *c128 = NULL;
    /* DataMatrix forced to 26x26 (option_2 = 9) and Code 128 to subset B: fixed sizes. */
    if ((st = encode(&dm, BARCODE_DATAMATRIX, GS1_MODE | GS1PARENS_MODE, 9, gs1,
                     "GS1 DataMatrix data", err)) ||
        (st = encode(&c128, BARCODE_CODE128B, DATA_MODE, 0, info->code, "Code 128 data", err)))
        goto done;
    if (path_svg) {
        cairo_surface_t *s = cairo_svg_surface_create(path_svg, LABEL_W, LABEL_H);
        cairo_t *cr = cairo_create(s);
        draw(cr, info, dm, c128);
        cairo_destroy(cr);
        cairo_surface_finish(s);
        cairo_status_t cs = cairo_surface_status(s);
        cairo_surface_destroy(s);
        if (cs != CAIRO_STATUS_SUCCESS) {
            st = rk_error_set(err, RK_EIO, "%s: cannot write the SVG label: %s", path_svg,
                              cairo_status_to_string(cs));
            goto done;
        }
    }
    if (path_png) {
        cairo_surface_t *s = cairo_image_surface_create(
            CAIRO_FORMAT_RGB24, (int)(LABEL_W * PNG_SCALE), (int)(LABEL_H * PNG_SCALE));
        cairo_t *cr = cairo_create(s);
        cairo_scale(cr, PNG_SCALE, PNG_SCALE);
        draw(cr, info, dm, c128);
        cairo_destroy(cr);
        cairo_status_t cs = cairo_surface_write_to_png(s, path_png);
        cairo_surface_destroy(s);
        if (cs != CAIRO_STATUS_SUCCESS) {
            st = rk_error_set(err, RK_EIO, "%s: cannot write the PNG label: %s", path_png,
                              cairo_status_to_string(cs));
            goto done;
        }
    }
done:
    if (dm) ZBarcode_Delete(dm);
    if (c128) ZBarcode_Delete(c128);
    return st;
}
