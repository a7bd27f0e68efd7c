#include "antable.h"

#include <stdio.h>
#include <stdlib.h>

#include "names.h"

antable *antable_new(const view_class *cls, const antable_ops *ops, ws_analysis *a)
{
    antable *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = cls;
    v->ops = ops;
    v->a = a;
    tui_analysis_retry(a);   /* opening the view again retries a failed run */
    return v;
}

void antable_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    antable *v = (antable *)vv;
    const char *msg = NULL;
    int st = v->err[0] ? -1 : tui_analysis_need(v->a, v->ops->part, &msg);
    if (st < 0) {
        if (msg)
            snprintf(v->err, sizeof v->err, "no %s: %s", v->ops->label, msg);
        cb_text(cb, body.y + 1, 1, body.w - 2, v->err, CB_BOLD);
        return;
    }
    if (st == 0) {
        cb_printf(cb, body.y + 1, 1, body.w - 2, 0, "computing the %s ...", v->ops->label);
        tui_draw_progress(cb, info.y, info.x, info.w, v->ops->label, tui_analysis_fraction(v->a));
        return;
    }
    if (!v->filled) {
        if (v->ops->fill(v, t) < 0) {
            snprintf(v->err, sizeof v->err, "out of memory");
            return;
        }
        v->filled = 1;
    }
    numtable_draw(&v->tab, cb, body, &t->style);
    v->ops->info(v, cb, info);
}

int antable_action(view *vv, tui *t, ws_action a)
{
    antable *v = (antable *)vv;
    if (a == ACT_CANCEL) {
        ws_analysis_cancel(v->a);
        return 1;
    }
    if (!v->filled)
        return 0;
    if (a == ACT_OPEN) {
        v->ops->open(v, t, numtable_selected(&v->tab));
        return 1;
    }
    return numtable_action(&v->tab, a);
}

int antable_tick(view *vv, tui *t, int *busy)
{
    (void)t;
    antable *v = (antable *)vv;
    if (v->err[0] || v->filled)
        return 0;
    *busy = 1;
    return 1;   /* redraw: the progress, or the table when the worker ends */
}

void antable_destroy(view *vv)
{
    antable *v = (antable *)vv;
    numtable_free(&v->tab);
    free(v);
}

void antable_label(antable *v, const tui *t, int r, const ws_tensor *x)
{
    char name[256];
    int w = v->tab.label_w - 1 < NT_LABEL - 3 ? v->tab.label_w - 1 : NT_LABEL - 3;
    ws_display_name(t->model, x, 0, name, sizeof name);
    ws_elide(name, w, t->style.glyphs != WS_GLYPH_UTF8, v->tab.label[r], NT_LABEL);
    ws_display_role(x, 1, v->tab.sub[r], sizeof v->tab.sub[r]);
}
