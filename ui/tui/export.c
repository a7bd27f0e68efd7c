/* The TUI's export key: write the current view's figure beside the model. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"

/* The model's directory if we may write there, else ".". */
static void out_dir(const tui *t, char *buf, size_t n)
{
    char *copy = strdup(t->model && t->model->path ? t->model->path : ".");
    const char *dir = copy ? dirname(copy) : ".";
    snprintf(buf, n, "%s", access(dir, W_OK) == 0 ? dir : ".");
    free(copy);
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
    char dir[2048], name[256], png[2400], svg[2400];
    out_dir(t, dir, sizeof dir);
    snprintf(name, sizeof name, "%s", stem);
    clean_stem(name);
    snprintf(png, sizeof png, "%s/%s.png", dir, name);
    snprintf(svg, sizeof svg, "%s/%s.svg", dir, name);
    ws_err err = {{0}};
    if (ws_figure_save(f, png, &err) != 0)
        tui_message(t, "export failed: %s: %s", png, err.msg);
    else if (ws_figure_save(f, svg, &err) != 0)
        tui_message(t, "export failed: %s: %s", svg, err.msg);
    else
        tui_message(t, "wrote %s and .svg", png);
    ws_figure_free(f);
}
