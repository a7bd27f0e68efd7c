/* wscope report (report.h): the output directory, the driver over the
 * sections, and the helpers they write with. */
#include "config.h"   /* PACKAGE_VERSION */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "basis_corpus.h"
#include "inputs.h"
#include "report_internal.h"
#include "runlog.h"

#define MARKER ".wscope-report"
#define MD_MAX_ROWS 40          /* rows of a table shown in index.md */

void ws_report_in_default(ws_report_in *in)
{
    memset(in, 0, sizeof *in);
    in->fit_rows = WS_REPORT_FIT_ROWS;
    in->fit_null = WS_REPORT_FIT_NULL;
}

/* ---- the directory ---- */

static int holds_input;

static int check_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (type == FTW_F && ws_input_is_registered(path)) {
        holds_input = 1;
        return 1;
    }
    return 0;
}

static char *parent_of(const char *dir)
{
    char *copy = strdup(dir), *p = copy ? strdup(dirname(copy)) : NULL;
    free(copy);
    return p;
}

int ws_report_check_dir(const char *dir, ws_err *e)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno != ENOENT)
            return ws_fail(e, "%s", strerror(errno));
        char *parent = parent_of(dir);
        int ok = parent && access(parent, W_OK | X_OK) == 0;
        int err = errno;
        free(parent);
        return ok ? 0 : ws_fail(e, "cannot create the report here: %s", parent ? strerror(err)
                                                                               : "out of memory");
    }
    if (!S_ISDIR(st.st_mode))
        return ws_fail(e, "exists and is not a directory: refusing to replace it with a report");
    size_t n = strlen(dir) + sizeof MARKER + 1;
    char *marker = malloc(n);
    if (!marker)
        return ws_fail(e, "out of memory");
    snprintf(marker, n, "%s/%s", dir, MARKER);
    int is_report = access(marker, F_OK) == 0;
    free(marker);
    if (!is_report)
        return ws_fail(e, "exists and is not a wscope report (no %s): refusing to replace it",
                       MARKER);
    holds_input = 0;   /* (checks run one at a time: the CLI and TUI check before they start) */
    nftw(dir, check_entry, 16, FTW_PHYS);
    if (holds_input)
        return ws_fail(e, "holds an input file of this run: refusing to replace it");
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Put the finished temporary directory in place of `dir`: a rename, or an
 * exchange with the old report, which is then removed. */
static int publish(const char *tmp, const char *dir, ws_err *e)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (rename(tmp, dir) != 0)
            return ws_fail(e, "cannot rename the report into place: %s", strerror(errno));
    } else {
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
            remove_tree(tmp);   /* the old report, now at the temporary name */
        } else if (errno == EINVAL || errno == ENOSYS) {
            /* No atomic exchange on this file system: the old report aside
             * (beside it, hidden), the new one in, the old one removed. */
            size_t n = strlen(tmp) + 8;
            char *old_dir = malloc(n);
            if (old_dir)
                snprintf(old_dir, n, "%s.old", tmp);
            int rc = old_dir && rename(dir, old_dir) == 0 ? 0 : -1;
            if (rc == 0 && rename(tmp, dir) != 0) {
                rename(old_dir, dir);
                rc = -1;
            }
            if (rc == 0)
                remove_tree(old_dir);
            free(old_dir);
            if (rc != 0)
                return ws_fail(e, "cannot replace the old report: %s", strerror(errno));
        } else {
            return ws_fail(e, "cannot replace the old report: %s", strerror(errno));
        }
    }
    char *parent = parent_of(dir);
    if (parent)
        fsync_dir(parent);
    free(parent);
    return 0;
}

static const char *base_name(const char *path);

/* ---- progress ---- */

int rep_cancelled(report *r)
{
    return ws_cancelled(r->p);
}

int rep_step(report *r, size_t units)
{
    r->done += units;
    if (r->p)
        atomic_store(&r->p->done, r->done);
    return rep_cancelled(r);
}

int rep_analyse(report *r, ws_analysis *a, unsigned what, size_t units, ws_err *e)
{
    if (ws_analysis_start(a, what, e) != 0)
        return -1;
    struct timespec tick = {0, 10 * 1000 * 1000};
    while (!ws_analysis_finished(a)) {
        if (rep_cancelled(r))
            ws_analysis_cancel(a);
        size_t done = atomic_load(&a->prog.done), total = atomic_load(&a->prog.total);
        if (r->p && total)
            atomic_store(&r->p->done, r->done + units * (done < total ? done : total) / total);
        nanosleep(&tick, NULL);
    }
    int rc = ws_analysis_wait(a, e);
    rep_step(r, units);
    return rc;
}

/* ---- writing ---- */

void rep_md(report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->md, fmt, ap);
    va_end(ap);
}

static char *path_in(const report *r, const char *sub, const char *name, const char *ext)
{
    size_t n = strlen(r->tmp) + strlen(sub) + strlen(name) + strlen(ext) + 4;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s/%s%s", r->tmp, sub, name, ext);
    return p;
}

/* A cell for a markdown table: '|' escaped, line breaks as spaces. */
static void md_cell(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", fp);
        else
            fputc(*s == '\n' || *s == '\r' ? ' ' : *s, fp);
    }
}

static void md_table(report *r, const ws_table *t, const char *csv)
{
    int nc = ws_table_ncols(t), nr = ws_table_nrows(t);
    char buf[256];
    rep_md(r, "|");
    for (int c = 0; c < nc; c++)
        if (!(ws_table_col_desc(t, c)->flags & WS_COL_DATA)) {
            rep_md(r, " ");
            md_cell(r->md, ws_table_col_desc(t, c)->title);
            rep_md(r, " |");
        }
    rep_md(r, "\n|");
    for (int c = 0; c < nc; c++)
        if (!(ws_table_col_desc(t, c)->flags & WS_COL_DATA)) {
            ws_col_kind k = ws_table_col_desc(t, c)->kind;
            rep_md(r, k == WS_COL_NUM || k == WS_COL_INT ? "---:|" : "---|");
        }
    rep_md(r, "\n");
    for (int row = 0; row < nr && row < MD_MAX_ROWS; row++) {
        rep_md(r, "|");
        for (int c = 0; c < nc; c++)
            if (!(ws_table_col_desc(t, c)->flags & WS_COL_DATA)) {
                rep_md(r, " ");
                md_cell(r->md, ws_table_cell_text(t, row, c, buf, sizeof buf));
                rep_md(r, " |");
            }
        rep_md(r, "\n");
    }
    if (nr > MD_MAX_ROWS)
        rep_md(r, "\nThe first %d of %d rows; all of them in [%s](tables/%s).\n", MD_MAX_ROWS, nr,
               csv, csv);
    if (!nr)
        rep_md(r, "\n(no rows)\n");
    rep_md(r, "\n");
    for (int c = 0; c < nc; c++) {   /* what the numbers mean */
        const ws_col *d = ws_table_col_desc(t, c);
        if ((d->kind != WS_COL_NUM && d->kind != WS_COL_INT) || (d->flags & WS_COL_DATA))
            continue;
        rep_md(r, "- **%s**%s%s%s: %s\n", d->title, d->unit && d->unit[0] ? " (" : "",
               d->unit ? d->unit : "", d->unit && d->unit[0] ? ")" : "", d->desc);
    }
    rep_md(r, "\n");
}

static int write_csv(const char *path, const ws_table *t, ws_err *e)
{
    ws_atomic a;
    if (ws_atomic_open(&a, path, e) != 0)
        return -1;
    ws_table_write_csv(t, a.fp);   /* a failed write shows in commit */
    return ws_atomic_commit(&a, e);
}

int rep_doc(report *r, const char *name, ws_doc *d, const char *cli, ws_err *e)
{
    if (!d || !ws_doc_ok(d)) {
        ws_doc_free(d);
        return ws_fail(e, "out of memory");
    }
    char *json = path_in(r, "tables", name, ".json");
    int rc = json ? ws_doc_export(d, json, e) : ws_fail(e, "out of memory");
    free(json);
    ws_table *t;
    size_t n = 0;
    while (ws_doc_get_table(d, n))
        n++;
    for (size_t i = 0; rc == 0 && (t = ws_doc_get_table(d, i)); i++) {
        char stem[160], csv[200];
        if (n == 1)
            snprintf(stem, sizeof stem, "%s", name);
        else
            snprintf(stem, sizeof stem, "%s-%s", name, ws_table_name(t));
        snprintf(csv, sizeof csv, "%s.csv", stem);
        char *path = path_in(r, "tables", stem, ".csv");
        rc = path ? write_csv(path, t, e) : ws_fail(e, "out of memory");
        free(path);
        if (rc == 0) {
            if (n > 1)
                rep_md(r, "**%s**: %s\n\n", ws_table_name(t), ws_table_desc(t));
            md_table(r, t, csv);
        }
    }
    if (rc == 0) {
        rep_md(r, "Tables: [%s.json](tables/%s.json)", name, name);
        for (size_t i = 0; (t = ws_doc_get_table(d, i)); i++) {
            if (n == 1)
                rep_md(r, ", [%s.csv](tables/%s.csv)", name, name);
            else
                rep_md(r, ", [%s-%s.csv](tables/%s-%s.csv)", name, ws_table_name(t), name,
                       ws_table_name(t));
        }
        if (cli)
            rep_md(r, " (the JSON is what `%s --json` prints)", cli);
        rep_md(r, ".\n\n");
    }
    ws_doc_free(d);
    return rc;
}

int rep_figure(report *r, const char *stem, ws_figure *f, ws_err *e)
{
    if (!f)
        return -1;
    const ws_fig_format *fmt;
    int rc = 0;
    for (int i = 0; rc == 0 && (fmt = ws_fig_format_at(i)); i++) {
        char *path = path_in(r, "figures", stem, fmt->ext);
        rc = path ? ws_figure_save(f, path, e) : ws_fail(e, "out of memory");
        free(path);
    }
    if (rc == 0) {
        rep_md(r, "![%s](figures/%s.png)\n\n", f->title, stem);
        for (int i = 0; (fmt = ws_fig_format_at(i)); i++)
            rep_md(r, "%s[%s](figures/%s%s)", i ? " · " : "Figure: ", fmt->name, stem, fmt->ext);
        rep_md(r, "\n\n");
    }
    ws_figure_free(f);
    return rc;
}

int rep_bars(report *r, const char *stem, const ws_doc *d, const char *const *keys, ws_err *e)
{
    const ws_table *t = ws_doc_get_table(d, 0);
    /* Titled with the model, except the runs: they are their own subject. */
    const char *subject = strcmp(stem, "runs") ? base_name(r->in->model->path) : NULL;
    int rc = 0;
    for (int i = 0; rc == 0 && keys[i]; i++) {
        if (ws_table_find(t, keys[i]) < 0)
            continue;
        char name[160];
        snprintf(name, sizeof name, "%s-%s", stem, keys[i]);
        ws_err fe = {{0}};
        ws_figure *f = ws_plot_table_bars(t, keys[i], subject, &r->in->fig, &fe);
        if (!f && strstr(fe.msg, "no values"))   /* nothing to draw: no figure */
            continue;
        if (!f)
            return ws_fail(e, "%s", fe.msg);
        rc = rep_figure(r, name, f, e);
    }
    return rc;
}

/* ---- the report ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void header(report *r)
{
    const ws_report_in *in = r->in;
    const ws_config *c = &in->model->cfg;
    rep_md(r, "# wscope report: %s\n\n", base_name(in->model->path));
    rep_md(r, "- model: `%s` (%d layers, d_model %d, %d heads, vocabulary %d, block %d; "
              "%lld parameters)\n",
           in->model->path, c->n_layer, c->n_embd, c->n_head, c->vocab_size, c->block_size,
           (long long)in->model->n_params);
    if (in->tuned)
        rep_md(r, "- tuned: `%s`\n", in->tuned->path);
    if (in->corpus)
        rep_md(r, "- corpus: `%s`\n", in->corpus);
    for (int i = 0; i < in->n_runs; i++)
        rep_md(r, "- run log: `%s`\n", in->runs[i]);
    rep_md(r, "- written by wscope %s; the definitions of every number are in wscope(1), "
              "ANALYSES\n\n", PACKAGE_VERSION);
    rep_md(r, "## Contents\n\n");
    const rep_section *s;
    for (int i = 0; (s = rep_section_at(i)); i++)
        rep_md(r, "%d. [%s](#%s)\n", i + 1, s->title, s->name);
    rep_md(r, "\n");
}

static size_t total_units(const report *r)
{
    size_t n = 0;
    const rep_section *s;
    for (int i = 0; (s = rep_section_at(i)); i++)
        if (!rep_section_missing(r, s))
            n += s->units(r);
    return n ? n : 1;
}

/* One section: its analysis, paragraph, figures, tables. */
static int build_section(report *r, const rep_section *s, ws_err *e)
{
    ws_doc *d = s->doc(r, e);
    if (!d)
        return -1;
    s->intro(r);
    int rc = s->figure ? s->figure(r, e) : 0;
    if (rc == 0)
        rc = rep_bars(r, s->name, d, s->keys, e);
    char cli[2600] = "";
    if (s->cli)
        s->cli(r, cli, sizeof cli);
    if (rc == 0)
        return rep_doc(r, s->name, d, s->cli ? cli : NULL, e);
    ws_doc_free(d);
    return rc;
}

static int build(report *r, ws_err *e)
{
    header(r);
    const rep_section *s;
    for (int i = 0; (s = rep_section_at(i)); i++) {
        rep_md(r, "<a id=\"%s\"></a>\n\n## %s\n\n", s->name, s->title);
        const char *missing = rep_section_missing(r, s);
        if (missing) {
            rep_md(r, "Not in this report: %s.\n\n", missing);
            continue;
        }
        if (build_section(r, s, e) != 0)
            return rep_cancelled(r) ? ws_fail(e, "cancelled") : ws_wrap(e, "%s", s->title);
        if (rep_cancelled(r))
            return ws_fail(e, "cancelled");
    }
    return 0;
}

static int finish_files(report *r, ws_err *e)
{
    fflush(r->md);
    char *index = path_in(r, ".", "index", ".md"), *marker = path_in(r, ".", MARKER, "");
    static const char mark[] = "A wscope report: `wscope report` may replace this directory.\n";
    int rc = index && marker ? 0 : ws_fail(e, "out of memory");
    if (rc == 0)
        rc = ws_atomic_write(index, r->md_buf, r->md_len, e);
    if (rc == 0)
        rc = ws_atomic_write(marker, mark, sizeof mark - 1, e);
    free(index);
    free(marker);
    return rc;
}

static void release(report *r)
{
    if (r->md)
        fclose(r->md);
    free(r->md_buf);
    ws_analysis_free(r->a);
    ws_analysis_free(r->at);
    ws_corpus_free(&r->corpus_res);
    ws_data_free(&r->corpus);
    for (int i = 0; i < r->n_runs; i++)
        ws_run_free(&r->runs[i]);
}

static int make_dirs(const char *tmp, ws_err *e)
{
    static const char *const subs[] = {"", "/tables", "/figures"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(tmp) + 16;
        char *d = malloc(n);
        if (!d)
            return ws_fail(e, "out of memory");
        snprintf(d, n, "%s%s", tmp, subs[i]);
        int rc = mkdir(d, 0777);
        free(d);
        if (rc != 0)
            return ws_fail(e, "cannot create the report's directory: %s", strerror(errno));
    }
    return 0;
}

/* The inputs beside the models, read before any work: the logs and the
 * corpus (their errors name the file). */
static int load_inputs(report *r, ws_err *e)
{
    for (int i = 0; i < r->in->n_runs && i < WS_REPORT_MAX_RUNS; i++) {
        ws_run_init(&r->runs[i], base_name(r->in->runs[i]));
        r->run_ptr[i] = &r->runs[i];
        r->n_runs = i + 1;
        if (ws_runlog_read(r->in->runs[i], &r->runs[i], e) != 0)
            return ws_wrap(e, "%s", r->in->runs[i]);
    }
    if (r->in->corpus)
        return ws_corpus_load(r->in->model, r->in->corpus, r->in->tokenizer, &r->corpus, NULL, e);
    return 0;
}

int ws_report_write(const ws_report_in *in, const char *dir, ws_progress *p, ws_err *e)
{
    if (in->n_runs > WS_REPORT_MAX_RUNS)
        return ws_fail(e, "at most %d run logs", WS_REPORT_MAX_RUNS);
    if (ws_report_check_dir(dir, e) != 0 || ws_fig_font_ready(e) != 0)
        return -1;
    report r = {.in = in, .p = p};
    if (load_inputs(&r, e) != 0) {
        release(&r);
        return -1;
    }
    r.tmp = ws_atomic_temp_name(dir, (long)getpid());
    r.md = open_memstream(&r.md_buf, &r.md_len);
    if (!r.tmp || !r.md) {
        free(r.tmp);
        release(&r);
        return ws_fail(e, "out of memory");
    }
    if (p)
        atomic_store(&p->total, total_units(&r));
    remove_tree(r.tmp);   /* left by a killed process that had our PID */
    int rc = make_dirs(r.tmp, e);
    if (rc == 0)
        rc = build(&r, e);
    if (rc == 0)
        rc = finish_files(&r, e);
    if (rc == 0 && rep_cancelled(&r))
        rc = ws_fail(e, "cancelled");
    if (rc == 0)
        rc = publish(r.tmp, dir, e);
    if (rc != 0)
        remove_tree(r.tmp);
    free(r.tmp);
    release(&r);
    return rc;
}

ws_doc *ws_report_doc(const ws_report_in *in, const char *name, ws_progress *p, ws_err *e)
{
    report r = {.in = in, .p = p};
    const rep_section *s = rep_section_named(name);
    ws_doc *d = NULL;
    const char *missing;
    if (!s) {
        char names[256] = "";
        for (int i = 0; (s = rep_section_at(i)); i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                     s->name);
        ws_fail(e, "no analysis named %s (one of %s)", name, names);
    } else if (load_inputs(&r, e) != 0) {
        /* e says which log */
    } else if ((missing = rep_section_missing(&r, s))) {
        ws_fail(e, "%s: %s", name, missing);
    } else {
        d = s->doc(&r, e);
    }
    release(&r);
    return d;
}
