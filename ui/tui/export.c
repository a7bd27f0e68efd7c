/* The TUI's export key: write the current view's figure beside the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "plots.h"
#include "outdir.h"

void tui_export_dir(const tui *t, char *buf, size_t n)
{
    tui_output_dir(t->model, buf, n);   /* one rule for every file the TUI writes */
}

/* A file name from a tensor name: no slashes or spaces. */
static void clean_stem(char *s)
{
    for (; *s; s++)
        if (*s == '/' || *s == ' ' || *s == '\\')
            *s = '_';
}

void tui_export(tui *t, ws_figure *f, const char *stem, const ws_err *e)
{
    if (!f) {
        tui_message(t, "export failed: %s", e->msg);
        return;
    }
    char dir[2048], name[256], path[2400], done[2600] = "";
    tui_export_dir(t, dir, sizeof dir);
    snprintf(name, sizeof name, "%s", stem);
    clean_stem(name);
    ws_err err = {{0}};
    const ws_fig_format *fmt;
    for (int i = 0; (fmt = ws_fig_format_at(i)); i++) {
        snprintf(path, sizeof path, "%s/%s%s", dir, name, fmt->ext);
        if (ws_figure_save(f, path, &err) != 0) {
            tui_message(t, "export failed: %s: %s", path, err.msg);
            ws_figure_free(f);
            return;
        }
        size_t len = strlen(done);
        snprintf(done + len, sizeof done - len, i ? ", %s" : "%s", i ? fmt->ext : path);
    }
    tui_message(t, "wrote %s", done);
    ws_figure_free(f);
}

void tui_export_bars(tui *t, const ws_table *tab, int col)
{
    if (!tab || col < 0) {
        tui_message(t, "no column to export");
        return;
    }
    const char *key = ws_table_col_desc(tab, col)->key, *path = t->model->path;
    const char *slash = strrchr(path, '/');
    char stem[256];
    snprintf(stem, sizeof stem, "%s-%s", ws_table_name(tab), key);
    ws_err e = {{0}};
    tui_export(t, ws_plot_table_bars(tab, key, slash ? slash + 1 : path, NULL, &e), stem, &e);
}

