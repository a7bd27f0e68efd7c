/* The TUI's training state: the policy marked on each tensor in the model
 * view, the run settings, and the run the training view shows. It lives in
 * the tui (tui->train) so that marks and a running run outlive the views.
 * No curses here. */
#ifndef WS_TRAIN_MARKS_H
#define WS_TRAIN_MARKS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "policy.h"
#include "tokenizer.h"

typedef struct train_mark {
    ws_policy_kind kind;
    int64_t arg;           /* R, K or S */
    double thr;            /* X of freeze-pr */
    ws_grid_centres centres;   /* grid:K:linspace (typed with p) */
} train_mark;

typedef struct train_settings {
    char data[512];        /* a text (plain or .gz) or nanoGPT .bin file */
    int64_t steps;
    int B, T;
    float lr;
    uint64_t seed;
    int64_t eval_every;
    int from_run;          /* start from: 0 the model file, N run N's weights */
    const ws_tokenizer *tok;  /* the TUI's tokenizer for text data (tui.h), or NULL */
} train_settings;

struct train_run;
struct tui_run;

typedef struct tui_train {
    train_mark *marks;     /* one per model tensor (model order) */
    size_t n;
    int64_t crystal_r, grid_k;   /* what the cycle key uses */
    train_settings set;
    struct train_run *run; /* the engine of the last run started; NULL before the first */
    /* Every run of the session and the logs opened (train_runs.h). */
    struct tui_run *runs;
    size_t n_runs, cap_runs;
    int runs_started;      /* N of the last "run N" */
    /* The loss plot: log y, EMA weight, window of the last N steps (0: all). */
    int logy;
    double smoothing;
    int64_t window;
    int sel;               /* the setting selected in the training view */
    int run_sel;           /* the run selected in its runs list */
    int focus_runs;        /* the keys move in the runs list, not the settings */
    int show_matrices;     /* the right pane lists the matrices (policy, PR) */
    int matrix_top;        /* first matrix shown there */
} tui_train;

/* Marks all `train`, settings defaulted for model m (the bundled corpus
 * when the model has a tokenizer). NULL when out of memory. */
tui_train *tui_train_new(const ws_model *m);
/* Releases the runs too (cancelled, reaped by job_reap). */
void tui_train_free(tui_train *s);

/* The TUI's tokenizer for runs; with one and no data file chosen yet, the
 * bundled corpus becomes the data. */
void train_settings_tokenizer(train_settings *s, const ws_model *m, const ws_tokenizer *tok);

/* Next policy of the cycle train → freeze → crystal:r → random → grid:K
 * → train. Vectors (biases, LayerNorms) cycle train ↔ freeze ↔ random. */
void train_mark_cycle(tui_train *s, const ws_tensor *t, size_t i);
/* "train", "crystal:2" ... */
const char *train_mark_text(const train_mark *m, char *buf, size_t n);
/* The bias rule (policy.h) on the marks: the bias of a matrix marked
 * crystal or random is marked freeze, that of a grid matrix train (as the
 * engine will do); called after every change of marks. */
void train_marks_follow(tui_train *s, const ws_model *m);
/* Apply a rule "PATTERN=POLICY" to every tensor it selects (as the engine
 * would; tensors without a role are no parameters and are skipped).
 * Returns how many it selected, or -1 with `err`. */
int train_marks_apply(tui_train *s, const ws_model *m, const char *spec, char *err, size_t n);
/* The marks as engine rules: one rule per tensor that does not train,
 * its name as the (escaped) pattern. Malloc'd; *n rules. */
ws_policy_rule *train_marks_rules(const tui_train *s, const ws_model *m, size_t *n);
/* Tensors not marked `train`. */
size_t train_marks_count(const tui_train *s);
/* Parameters the marks leave trainable at the start of a run, of the
 * network's (model.h's network tensors with a role): train, freeze@S and freeze-pr
 * tensors count whole, a grid:K matrix its rows × K amplitudes, frozen and
 * replaced ones nothing. */
void train_marks_trainable(const tui_train *s, const ws_model *m, int64_t *trainable,
                           int64_t *total);
/* "5.2 % trainable (95.4k of 1.8M)" */
const char *train_marks_share(const tui_train *s, const ws_model *m, char *buf, size_t n);

/* The bundled corpus (moby-dick.txt.gz) beside the model, else beside the
 * sample models (samples.h); NULL when none is found. */
const char *train_default_corpus(const ws_model *m);

#endif
