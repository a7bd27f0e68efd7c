#include "antable.h"

#include <stdio.h>
#include <stdlib.h>

#include "export.h"
#include "names.h"

antable *antable_new(const view_class *cls, const antable_ops *ops, ws_analysis *a)
{
    antable *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = cls;
    v->ops = ops;
    v->a = a;
    v->shown_pct = -1;
    numtable_init(&v->tab);
    tui_analysis_retry(a);   /* opening the view again retries a failed run */
    return v;
}

void antable_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    antable *v = (antable *)vv;
    const char *msg = NULL;
    /* Once filled, the table stays while the nulls compute. */
    int st = v->err[0] ? -1 : v->filled ? 1 : tui_analysis_need(v->a, v->ops->part, &msg);
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
    /* The nulls after the table: ready now, still computing, or failed. */
    int nst = v->ops->nulls && !v->nulls_done ? tui_analysis_need(v->a, v->ops->part | WS_AN_NULLS, &msg) : 1;
    if (nst < 0) {
        snprintf(v->null_err, sizeof v->null_err, "no null baselines: %s", msg ? msg : "failed");
        v->nulls_done = 1;
    }
    if (!v->filled || (nst > 0 && v->ops->nulls && !v->nulls_done)) {
        ws_table *tab = v->ops->table(v, t);
        if (!tab || numtable_set(&v->tab, tab, v->ops->hide, 2) < 0) {
            snprintf(v->err, sizeof v->err, "out of memory");
            return;
        }
        v->filled = 1;
        v->nulls_done = nst > 0;
    }
    numtable_draw(&v->tab, cb, body, &t->style);
    if (nst == 0)
        tui_draw_progress(cb, info.y, info.x, info.w, "null baselines", tui_analysis_fraction(v->a));
    else if (v->null_err[0])
        cb_text(cb, info.y, info.x, info.w, v->null_err, 0);
    else
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
    if (a == ACT_EXPORT) {
        tui_export_bars(t, v->tab.t, numtable_column(&v->tab));
        return 1;
    }
    return numtable_action(&v->tab, a);
}

int antable_tick(view *vv, tui *t, int *busy)
{
    (void)t;
    antable *v = (antable *)vv;
    if (v->err[0] || (v->filled && (!v->ops->nulls || v->nulls_done)))
        return 0;
    *busy = 1;
    return tui_analysis_moved(v->a, &v->shown_pct);   /* the progress, or the table at the end */
}

void antable_destroy(view *vv)
{
    antable *v = (antable *)vv;
    numtable_free(&v->tab);
    free(v);
}

void tui_table_name(ws_table *tab, const tui *t, int row, const ws_tensor *x)
{
    char name[512];
    int c = ws_table_find(tab, "name");
    if (c >= 0)
        ws_table_str(tab, row, c, ws_display_name(t->model, x, 0, name, sizeof name));
}
