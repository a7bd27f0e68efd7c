/* The TUI's state shared by the main loop (loop.c) and the views. */
#ifndef WS_TUI_H
#define WS_TUI_H

#include "model.h"
#include "render.h"
#include "view.h"

struct tui {
    ws_model *model;
    ws_model *tuned;           /* second model (TUNED), may be NULL: the file given, or a
                                  run's weights (tui_set_tuned) */
    ws_model *tuned_file;      /* the TUNED file given on the command line (owned) */
    render_style style;
    view *top;                 /* the view stack */
    int quit;
    int dirty;                 /* redraw at the next turn of the loop */
    int rows, cols;            /* body size at the last draw */
    char message[1024];        /* one-shot message shown in the info line */

    /* A one-line prompt in the info line ('/' search, jump to row). */
    int prompting;
    char prompt_label[64];
    char prompt[128];

    struct tui_train *train;   /* policy marks and the training runs (train_marks.h) */
    struct ws_tokenizer *tok;  /* the model's tokenizer (token strings, runs on text), or NULL */

    /* Quitting while a run is going or unsaved asks first (loop.c). */
    int asking_quit;           /* the question is in the info line */
    int quit_save;             /* the answer was: save, then quit */
    int stop_signal;           /* SIGINT/SIGTERM/SIGHUP ended the loop: save for recovery */

    int mouse;
    int click_y, click_x;      /* screen cell of the last click */
    int acted;                 /* a key did something: the model view's first-run hint goes */
};

/* Push a view on the stack (it becomes the top); NULL is ignored. */
void tui_push(tui *t, view *v);
/* Close the top view and free it. */
void tui_pop(tui *t);
/* Ask for a line of text; the top view gets ACT_PROMPT_DONE with it. */
void tui_prompt(tui *t, const char *label);
void tui_message(tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The prompt's answer as a whole number in lo..hi into *out (0), or a
 * message naming `what` and the range (-1). */
int tui_prompt_number(tui *t, const char *what, long long lo, long long hi, long long *out);

/* Browse `m` as TUNED from now on (a run's weights: owned by the run).
 * Views opened before keep what they showed. */
void tui_set_tuned(tui *t, ws_model *m);

/* Format helpers shared by the views. */
void tui_fmt_count(char *buf, size_t n, int64_t v);         /* 124.4M */
/* The token of row `row` of x (the embedding, a head) as the views show it
 * (tokenizer.h: ␣ for spaces, or quoted with --ascii); 0 when x's rows are
 * not tokens or there is no tokenizer. */
int tui_token_label(const tui *t, const ws_tensor *x, int64_t row, char *buf, size_t n);
/* "progress 42%" bar of width w at (y, x). */
void tui_draw_progress(cellbuf *cb, int y, int x, int w, const char *label, double frac);

#endif
