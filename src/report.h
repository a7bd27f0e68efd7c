/* wscope report: every analysis of a model (and of its fine-tune, its
 * corpus and its training runs) in one directory, ready for a paper.
 *
 * Layout of the directory:
 *   index.md             a section per analysis: what it measures, its
 *                        table (null baselines included where the table
 *                        has them), its figures, links to every file
 *   tables/CMD.json      the analysis's JSON document, the same bytes as
 *                        the command in index.md prints with --json
 *                        (fit, spectrum, energy, pr, drift, basis; runs is
 *                        the report's own)
 *   tables/TABLE.csv     every table of those documents as CSV
 *   figures/NAME.EXT     every figure in every figure format (PNG, SVG, PDF)
 *   .wscope-report       marks the directory as a report, so that a later
 *                        report may replace it
 *
 * The same inputs give the same bytes: no dates, no timings. The report is
 * built in a hidden temporary directory beside DIR and renamed into place
 * at the end, so an interrupted report leaves nothing half-written; an
 * existing DIR is replaced only when it is a report and holds no input.
 *
 * The sections are one table in report_sections.c (how to add one in its
 * header). */
#ifndef WS_REPORT_H
#define WS_REPORT_H

#include "doc.h"
#include "error.h"
#include "fit.h"
#include "model.h"
#include "plots.h"
#include "threads.h"

#define WS_REPORT_FIT_ROWS WS_FIT_ROWS_DEFAULT  /* rows per matrix: fit's default, the notes' 32 */
/* Draws of each null family for the fits (the other sections draw
 * WS_NULL_N_DEFAULT): a fit costs a hundred spectra, and with 10 the fits'
 * nulls alone took 4 s of a seed-shaped model's report; 5 keeps the whole
 * report under 5 s on 2 cores. `report --fit-null N` raises it. */
#define WS_REPORT_FIT_NULL 5
#define WS_REPORT_MAX_RUNS 16

typedef struct ws_report_in {
    ws_model *model;            /* its path as the user gave it: model->path */
    ws_model *tuned;            /* NULL: no drift section */
    const char *corpus;         /* NULL: basis without the corpus cosines */
    const char *tokenizer;      /* for a text corpus (NULL: the model's own or one beside it) */
    const char *const *runs;    /* training logs (n_runs of them) */
    int n_runs;
    int64_t fit_rows;           /* rows fitted per matrix; 0: all */
    int fit_null;               /* null draws of each family for the fits; 0: none */
    ws_plot_opts fig;           /* size and dpi of the figures */
} ws_report_in;

void ws_report_in_default(ws_report_in *in);

/* 0 when `dir` may be written: it does not exist (and its parent does), or
 * it is a report holding no input file. Else -1 with the reason. */
int ws_report_check_dir(const char *dir, ws_err *e);

/* Compute everything and write the report into `dir` (see above). `p` (may
 * be NULL) gets the progress; cancelling it stops the work, removes the
 * temporary directory and returns -1 ("cancelled"). */
int ws_report_write(const ws_report_in *in, const char *dir, ws_progress *p, ws_err *e);

/* The document of one section ("fits", "spectrum", "energy", "pr",
 * "drift", "basis", "runs"): what `wscope plot --bars NAME:COLUMN` draws.
 * NULL with the reason (an unknown name, a section this input cannot
 * have, a failed analysis). */
ws_doc *ws_report_doc(const ws_report_in *in, const char *name, ws_progress *p, ws_err *e);

#endif
