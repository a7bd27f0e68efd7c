/* The TUI main loop (the state machine is described in loop.h). */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "hf_folder.h"
#include "job.h"
#include "report_key.h"
#include "layout.h"
#include "loop.h"
#include "terminal.h"
#include "train_runs.h"
#include "wake.h"
#include "threads.h"

typedef enum loop_state { LOOP_POLL, LOOP_DRAW, LOOP_WAIT, LOOP_INPUT, LOOP_END } loop_state;

typedef struct loop {
    tui *t;
    cellbuf cb;
    int force;        /* repaint every cell at the next DRAW (start, resize, ^L) */
    int busy;         /* work is running: look at it once a frame */
    int pending;      /* work changed what a view shows, not drawn yet */
    int woken;        /* a job ended (wake.h): draw what it changed at once */
    double drawn_at;  /* when the last frame was drawn (ms) */
    int key;          /* the key INPUT handles */
} loop;

static double now_ms(void) { return 1e3 * ws_monotonic_s(); }

/* ---- DRAW ---- */

static void draw_title(tui *t, cellbuf *cb, cb_rect r)
{
    cb_fill(cb, r, " ", CB_DEFAULT, CB_DEFAULT, CB_REVERSE);
    char name[256];   /* the file's name, or an HF model's folder name */
    int n = cb_printf(cb, r.y, r.x, r.w, CB_REVERSE | CB_BOLD, " wscope  %s ",
                      ws_model_title(t->model, name, sizeof name));
    cb_printf(cb, r.y, r.x + n, r.w - n, CB_REVERSE, "| %s%s%s", t->top->cls->name,
              t->top->title[0] ? ": " : "", t->top->title);
}

static void draw_frame(tui *t, cellbuf *cb)
{
    int rows, cols;
    term_size(&rows, &cols);
    if (cb->rows != rows || cb->cols != cols)
        cb_resize(cb, rows, cols);
    tui_layout l = layout_compute(rows, cols);
    if (l.too_small) {
        layout_draw_too_small(cb);
        return;
    }
    cb_clear(cb);
    t->rows = l.body.h;
    t->cols = l.body.w;
    t->top->cls->draw(t->top, t, cb, l.body, l.info);
    draw_title(t, cb, l.title);
    if (t->prompting) {
        cb_fill(cb, l.info, " ", CB_DEFAULT, CB_DEFAULT, 0);
        int n = cb_printf(cb, l.info.y, 0, l.info.w, CB_BOLD, "%s", t->prompt_label);
        n += cb_text(cb, l.info.y, n, l.info.w - n, t->prompt, 0);
        cb_set(cb, l.info.y, n, " ", CB_DEFAULT, CB_DEFAULT, CB_REVERSE);
    } else if (t->asking_quit) {
        char q[400];
        train_runs_quit_question(t->train, q, sizeof q);
        cb_fill(cb, l.info, " ", CB_DEFAULT, CB_DEFAULT, 0);
        cb_text(cb, l.info.y, 0, l.info.w, q, CB_BOLD);
    } else if (t->message[0]) {
        /* over the lines above when long: an engine error reads whole */
        cb_text_above(cb, l.info.y, l.info.x, l.info.w, 1 + l.body.h / 3, t->message, CB_BOLD);
    }
    keys_draw_hints(cb, l.status, t->top->cls->keys);
}

/* ---- INPUT ---- */

static void prompt_key(tui *t, int ch)
{
    size_t n = strlen(t->prompt);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        t->prompting = 0;
        t->top->cls->action(t->top, t, ACT_PROMPT_DONE);
    } else if (ch == 27 || ch == 7) {   /* Esc, ^G */
        t->prompting = 0;
    } else if (ch == 21) {              /* ^U: clear the line (prompts may come filled in) */
        t->prompt[0] = 0;
    } else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0) {
        t->prompt[n - 1] = 0;
    } else if (ch >= 32 && ch < 127 && n + 1 < sizeof t->prompt) {
        t->prompt[n] = (char)ch;
        t->prompt[n + 1] = 0;
    }
    t->dirty = 1;
}

/* A run going or unsaved would be lost: ask (the runs go on meanwhile). */
static int work_to_keep(tui *t)
{
    return t->train && (train_runs_active(t->train) || train_runs_unsaved(t->train));
}

static void request_quit(tui *t)
{
    if (work_to_keep(t))
        t->asking_quit = 1;
    else
        t->quit = 1;
    t->dirty = 1;
}

/* The answer: s saves then quits, d quits, anything else stays. */
static void quit_answer(tui *t, int ch)
{
    t->asking_quit = 0;
    if (ch == 's' || ch == 'S')
        t->quit = t->quit_save = 1;
    else if (ch == 'd' || ch == 'D')
        t->quit = 1;
    t->dirty = 1;
}

/* The actions the loop owns; every other one goes to the top view. */
static void do_action(tui *t, ws_action a)
{
    if (a != ACT_NONE && !t->acted) {
        t->acted = 1;
        t->dirty = 1;
    }
    switch (a) {
    case ACT_NONE: return;
    case ACT_QUIT: request_quit(t); return;
    case ACT_BACK:
        if (!t->top->below)
            request_quit(t);
        else
            tui_pop(t);
        return;
    case ACT_HELP:
        if (strcmp(t->top->cls->name, "help"))
            tui_push(t, view_help_new(t, t->top));
        return;
    case ACT_REDRAW: t->dirty = 1; return;
    default:
        if (t->top->cls->action(t->top, t, a))
            t->dirty = 1;
    }
}

static void mouse_event(tui *t)
{
    int y, x, b = term_mouse(&y, &x);
    if (b == TERM_CLICK) {
        t->click_y = y;
        t->click_x = x;
        do_action(t, ACT_CLICK);
        return;
    }
    for (int i = 0; i < 3; i++)
        do_action(t, b == TERM_WHEEL_UP ? ACT_UP : ACT_DOWN);
}

/* Returns 1 when the whole screen must be repainted. */
static int handle_key(tui *t, int ch)
{
    if (ch == KEY_RESIZE) {
        t->dirty = 1;
        return 1;
    }
    int rows, cols;
    term_size(&rows, &cols);
    if (layout_compute(rows, cols).too_small) {
        if (ch == 'Q')   /* the only key there: nothing else can be seen */
            t->quit = 1;
        return 0;
    }
    if (t->prompting) {
        prompt_key(t, ch);
        return 0;
    }
    if (t->asking_quit) {
        quit_answer(t, ch);
        return 0;
    }
    if (t->message[0]) {
        t->message[0] = 0;
        t->dirty = 1;
    }
    if (ch == KEY_MOUSE) {
        mouse_event(t);
        return 0;
    }
    ws_action a = keys_lookup(t->top->cls->keys, ch);
    do_action(t, a);
    return a == ACT_REDRAW;
}

/* ---- the states ---- */

static loop_state poll_work(loop *l)
{
    tui *t = l->t;
    term_defer_stop(work_to_keep(t));
    if ((t->stop_signal = term_stop_requested()))
        return LOOP_END;
    if (t->quit || !t->top)
        return LOOP_END;
    job_reap(0);
    /* What the work changed (a tick's answer, or a message it left) is drawn
     * at most once a frame, or at once when a job ended; what a key changed
     * is drawn at once. */
    int keyed = t->dirty;
    t->dirty = 0;
    l->busy = 0;
    if (t->top->cls->tick && t->top->cls->tick(t->top, t, &l->busy))
        l->pending = 1;
    if (tui_report_tick(t, &l->busy))   /* the report key's work, whatever view is open */
        l->pending = 1;
    l->pending |= t->dirty;
    t->dirty = keyed || (l->pending && (l->woken || now_ms() - l->drawn_at >= LOOP_FRAME_MS));
    l->woken = 0;
    return t->dirty ? LOOP_DRAW : LOOP_WAIT;
}

static loop_state draw(loop *l)
{
    l->t->dirty = 0;
    l->pending = 0;
    draw_frame(l->t, &l->cb);
    term_blit(&l->cb, l->force);
    l->force = 0;
    l->drawn_at = now_ms();
    /* Drawing may start work or leave a message: shown at the next frame,
     * so that a view that asks for a redraw from its draw cannot spin. */
    l->pending = l->t->dirty;
    l->t->dirty = 0;
    return LOOP_POLL;
}

/* Asleep until a key, a worker's wake-up (wake.h), or: the next frame when
 * work changed something, a frame from now while work runs, never while
 * nothing does. */
static loop_state wait_key(loop *l)
{
    int timeout = -1;
    if (l->pending) {
        double left = LOOP_FRAME_MS - (now_ms() - l->drawn_at);
        timeout = left > 0 ? (int)left + 1 : 0;
    } else if (l->busy) {
        timeout = LOOP_FRAME_MS;
    }
    l->key = term_getkey(timeout, tui_wake_fd());
    if (l->key == TERM_HANGUP) {   /* no terminal any more: end as SIGHUP would */
        if (work_to_keep(l->t))
            l->t->stop_signal = SIGHUP;
        else
            l->t->quit = 1;
        return LOOP_END;
    }
    l->woken |= l->key == TERM_WOKEN;
    return l->key >= 0 ? LOOP_INPUT : LOOP_POLL;
}

static loop_state input(loop *l)
{
    l->force |= handle_key(l->t, l->key);
    return LOOP_POLL;
}

void tui_loop(tui *t)
{
    loop l = {.t = t, .force = 1};
    cb_init(&l.cb, 0, 0);
    t->dirty = 1;
    loop_state s = LOOP_POLL;
    while (s != LOOP_END) {
        switch (s) {
        case LOOP_POLL: s = poll_work(&l); break;
        case LOOP_DRAW: s = draw(&l); break;
        case LOOP_WAIT: s = wait_key(&l); break;
        case LOOP_INPUT: s = input(&l); break;
        case LOOP_END: break;
        }
    }
    cb_free(&l.cb);
}
