/* Key tables, dispatch, help and hints (see keys.h). */
#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)

const key_binding keys_global[] = {
    {{'q', 0}, "q", ACT_BACK, "back out of this view (quits from the model view)", "back"},
    {{'Q', 0}, "Q", ACT_QUIT, "quit wscope", NULL},
    {{'?', KEY_F(1), 0}, "? F1", ACT_HELP, "this help, generated from the key table", "help"},
    {{CTRL('l'), 0}, "^L", ACT_REDRAW, "redraw the screen", NULL},
    {{'x', 0}, "x", ACT_CANCEL, "cancel the background work shown in the info line", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static ws_action lookup_in(const key_binding *tab, int key)
{
    for (; tab && tab->action != ACT_NONE; tab++)
        for (int i = 0; i < 4 && tab->keys[i]; i++)
            if (tab->keys[i] == key)
                return tab->action;
    return ACT_NONE;
}

ws_action keys_lookup(const key_binding *view_keys, int key)
{
    ws_action a = lookup_in(view_keys, key);
    return a != ACT_NONE ? a : lookup_in(keys_global, key);
}

/* One key per entry; a description longer than the screen goes on under
 * itself, so a narrow terminal reads it whole. */
static int help_table(cellbuf *cb, cb_rect area, const key_binding *tab, int line, int scroll)
{
    int w = area.w - 15 < 20 ? 20 : area.w - 15;
    char part[256];
    for (; tab && tab->action != ACT_NONE; tab++) {
        const char *s = tab->help ? tab->help : "";
        int first = 1;
        do {
            snprintf(part, sizeof part, "%.*s", (int)cb_wrap_len(s, w), s);
            int y = area.y + line - scroll;
            if (y >= area.y && y < area.y + area.h) {
                if (first)
                    cb_text(cb, y, area.x + 2, 12, tab->label, CB_BOLD);
                cb_text(cb, y, area.x + 15, area.w - 15, part, 0);
            }
            s = cb_wrap_next(s, w);
            first = 0;
            line++;
        } while (*s);
    }
    return line;
}

static int help_heading(cellbuf *cb, cb_rect area, const char *text, int line, int scroll)
{
    int y = area.y + line - scroll;
    if (y >= area.y && y < area.y + area.h)
        cb_text(cb, y, area.x, area.w, text, CB_UNDERLINE);
    return line + 1;
}

int keys_draw_help(cellbuf *cb, cb_rect area, const char *view_name,
                   const key_binding *view_keys, int scroll)
{
    char head[128];
    snprintf(head, sizeof head, "Keys in the %s view", view_name);
    int line = help_heading(cb, area, head, 0, scroll);
    line = help_table(cb, area, view_keys, line, scroll);
    line = help_heading(cb, area, "", line, scroll);
    line = help_heading(cb, area, "Keys everywhere", line, scroll);
    line = help_table(cb, area, keys_global, line, scroll);
    line = help_heading(cb, area, "", line, scroll);
    line = help_heading(cb, area, "With --mouse: click selects, the wheel scrolls.", line, scroll);
    return line;
}

static int hint_table(cellbuf *cb, cb_rect area, const key_binding *tab, int x)
{
    for (; tab && tab->action != ACT_NONE; tab++) {
        if (!tab->hint)
            continue;
        int need = (int)strlen(tab->label) + 1 + (int)strlen(tab->hint) + 2;
        if (x + need > area.x + area.w)
            break;
        x += cb_text(cb, area.y, x, -1, tab->label, CB_REVERSE | CB_BOLD);
        x += cb_text(cb, area.y, x, -1, " ", 0);
        x += cb_text(cb, area.y, x, -1, tab->hint, 0);
        x += cb_text(cb, area.y, x, -1, "  ", 0);
    }
    return x;
}

void keys_draw_hints(cellbuf *cb, cb_rect area, const key_binding *view_keys)
{
    cb_fill(cb, area, " ", CB_DEFAULT, CB_DEFAULT, 0);
    /* Global hints first so that "q back" and "? help" are always visible. */
    int x = hint_table(cb, area, keys_global, area.x);
    hint_table(cb, area, view_keys, x);
}
