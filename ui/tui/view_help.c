/* Help view: the key table of the view it was opened from, plus the
 * global keys, drawn by keys_draw_help from the same tables that dispatch
 * the keys. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "tui.h"

typedef struct help_view {
    view base;
    const view *from;
    int scroll, lines, page;
} help_view;

static const key_binding help_keys[] = {
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "scroll down", "scroll"},
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "scroll up", NULL},
    {{KEY_NPAGE, ' ', 0}, "PgDn Space", ACT_PGDN, "one page down", "page"},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "one page up", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static void help_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    (void)t;
    help_view *v = (help_view *)vv;
    v->page = body.h;
    v->lines = keys_draw_help(cb, body, v->from->cls->name, v->from->cls->keys, v->scroll);
    cb_printf(cb, info.y, info.x, info.w, 0, "wscope(1) documents every key, option and tier.");
}

static int help_action(view *vv, tui *t, ws_action a)
{
    (void)t;
    help_view *v = (help_view *)vv;
    int s = v->scroll;
    switch (a) {
    case ACT_DOWN: s++; break;
    case ACT_UP: s--; break;
    case ACT_PGDN: s += v->page; break;
    case ACT_PGUP: s -= v->page; break;
    default: return 0;
    }
    if (s > v->lines - v->page) s = v->lines - v->page;
    v->scroll = s < 0 ? 0 : s;
    return 1;
}

static void help_destroy(view *v)
{
    free(v);
}

static const view_class help_class = {
    "help", help_keys, help_draw, help_action, NULL, help_destroy,
};

view *view_help_new(tui *t, const view *from)
{
    (void)t;
    help_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = &help_class;
    v->from = from;
    snprintf(v->base.title, sizeof v->base.title, "keys of the %s view", from->cls->name);
    return &v->base;
}
