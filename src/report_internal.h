/* Between the report's driver (report.c) and its sections
 * (report_sections.c): the state of a report being written and the
 * helpers a section writes with. */
#ifndef WS_REPORT_INTERNAL_H
#define WS_REPORT_INTERNAL_H

#include <stdio.h>

#include "analysis.h"
#include "basis_corpus.h"
#include "data.h"
#include "doc.h"
#include "report.h"
#include "run.h"

typedef struct report {
    const ws_report_in *in;
    char *tmp;                  /* the directory being written */
    FILE *md;                   /* index.md, in memory */
    char *md_buf;
    size_t md_len;
    ws_progress *p;
    size_t done;                /* progress units finished */
    ws_analysis *a;             /* the model's analyses */
    ws_analysis *at;            /* the tuned model's, with the drift from the model */
    ws_data corpus;             /* the corpus's token ids, loaded first */
    ws_corpus corpus_res;       /* the corpus measurements, with a corpus */
    ws_run runs[WS_REPORT_MAX_RUNS];
    const ws_run *run_ptr[WS_REPORT_MAX_RUNS];
    int n_runs;
} report;

/* Progress: a step of `units` finished; 1 when the report was cancelled. */
int rep_step(report *r, size_t units);
int rep_cancelled(report *r);

/* Run the analysis parts `what` with progress (worth `units`) and cancel. */
int rep_analyse(report *r, ws_analysis *a, unsigned what, size_t units, ws_err *e);

/* index.md text. */
void rep_md(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write the document as tables/NAME.json and each of its tables as
 * tables/NAME.csv (one table) or tables/NAME-TABLE.csv, and show each table
 * in index.md with its columns' meanings and the links; `cli` is the
 * command that prints the same JSON (NULL: the report's own). Frees d. */
int rep_doc(report *r, const char *name, ws_doc *d, const char *cli, ws_err *e);

/* Write figures/STEM.EXT in every figure format and show it in index.md.
 * Frees f (NULL: e says why it could not be made). */
int rep_figure(report *r, const char *stem, ws_figure *f, ws_err *e);

/* Bar charts of the doc's first table, one per key (NULL-terminated), as
 * figures/STEM-KEY. */
int rep_bars(report *r, const char *stem, const ws_doc *d, const char *const *keys, ws_err *e);

/* The sections (report_sections.c). */
typedef struct rep_section {
    const char *name;           /* anchor, file stem, the NAME of plot --bars NAME:COLUMN */
    const char *title;          /* the heading in index.md */
    unsigned needs;             /* REP_NEED_* */
    /* The command that prints the same JSON (NULL: the report's own). */
    void (*cli)(const report *r, char *buf, size_t n);
    size_t (*units)(const report *r);            /* progress units it is worth */
    ws_doc *(*doc)(report *r, ws_err *e);        /* compute; NULL with e on failure */
    void (*intro)(report *r);                    /* its paragraph in index.md (after doc) */
    int (*figure)(report *r, ws_err *e);         /* a figure beyond the bars, or NULL */
    const char *const *keys;                     /* columns drawn as bar charts */
} rep_section;

enum { REP_NEED_EMBED = 1, REP_NEED_TUNED = 2, REP_NEED_RUNS = 4 };

const rep_section *rep_section_at(int i);
const rep_section *rep_section_named(const char *name);
/* What a section needs that this report lacks, or NULL. */
const char *rep_section_missing(const report *r, const rep_section *s);

#endif
