/* Curses glue (see term.h). */
#include "config.h"

#include "terminal.h"

#include "atomic.h"
#include "wake.h"

#include <curses.h>
#include <langinfo.h>
#include <poll.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

static struct termios saved_tty;
static int have_saved_tty;
static char restore_seq[512];     /* written by the signal handler */
static size_t restore_len;
static SCREEN *screen;
static int started, use_colour, direct_colour, mouse_on;
static cellbuf shown;             /* what the screen holds now */
static MEVENT last_mouse;

/* ---- restoring the terminal ---- */

static void add_cap(const char *name)
{
    char *s = tigetstr((char *)name);
    if (!s || s == (char *)-1)
        return;
    size_t n = strlen(s);
    if (restore_len + n < sizeof restore_seq) {
        memcpy(restore_seq + restore_len, s, n);
        restore_len += n;
    }
}

static void add_seq(const char *s)
{
    size_t n = strlen(s);
    if (restore_len + n < sizeof restore_seq) {
        memcpy(restore_seq + restore_len, s, n);
        restore_len += n;
    }
}

/* The async-signal-safe part of endwin(): precomputed sequences and the
 * saved tty modes, written with write(2) and tcsetattr(3). */
static void restore_raw(void)
{
    if (restore_len && write(STDOUT_FILENO, restore_seq, restore_len) < 0)
        restore_len = 0;
    if (have_saved_tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
}

static const int FATAL[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL};
static struct sigaction fatal_sa;
/* While the TUI holds work that must not be lost (a run going or unsaved),
 * SIGINT, SIGTERM and SIGHUP are only noted here: the main loop ends and
 * the entry saves it. A second one dies as usual. */
static volatile sig_atomic_t defer_stop, stop_sig;

static void on_fatal(int sig)
{
    if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && defer_stop && !stop_sig) {
        stop_sig = sig;
        sigaction(sig, &fatal_sa, NULL);   /* SA_RESETHAND removed it: the next one dies */
        return;
    }
    restore_raw();
    ws_atomic_remove_temps(NULL);   /* a save in progress: no half-written file left behind */
    /* SA_RESETHAND restored the default action: die the way we were told to. */
    raise(sig);
}

void term_defer_stop(int on) { defer_stop = on; }
int term_stop_requested(void) { return stop_sig; }

static void install_handlers(void)
{
    memset(&fatal_sa, 0, sizeof fatal_sa);
    fatal_sa.sa_handler = on_fatal;
    fatal_sa.sa_flags = SA_RESETHAND | SA_NODEFER;   /* no SA_RESTART: a waiting getch wakes */
    sigemptyset(&fatal_sa.sa_mask);
    for (size_t i = 0; i < sizeof FATAL / sizeof FATAL[0]; i++)
        sigaction(FATAL[i], &fatal_sa, NULL);
}

static void remove_handlers(void)
{
    for (size_t i = 0; i < sizeof FATAL / sizeof FATAL[0]; i++)
        signal(FATAL[i], SIG_DFL);
}

/* ---- tiers ---- */

/* COLORTERM may promise 24-bit colour while TERM names a 256-colour
 * entry; then use the "-direct" entry of the same terminal if installed. */
static const char *direct_term_name(char *buf, size_t n)
{
    const char *term = getenv("TERM"), *ct = getenv("COLORTERM");
    if (!term || !ct || (strcmp(ct, "truecolor") && strcmp(ct, "24bit")) || strstr(term, "direct"))
        return NULL;
    snprintf(buf, n, "%s", term);
    char *dash = strstr(buf, "-256color");
    if (dash)
        *dash = 0;
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "-direct");
    int err = 0;
    if (setupterm(buf, STDOUT_FILENO, &err) != OK)
        return NULL;
    del_curterm(cur_term);
    return buf;
}

static int want_utf8(const term_opts *o)
{
    return !o->ascii && !strcmp(nl_langinfo(CODESET), "UTF-8");
}

static void start_colours(const term_opts *o, render_style *style)
{
    int nc = getenv("NO_COLOR") && *getenv("NO_COLOR");
    ws_colours c = WS_COL_MONO;
    if (has_colors() && !nc && o->colors != 1) {
        start_color();
        use_default_colors();
        int rgb = tigetflag("RGB");
        c = colour_detect(0, o->colors, NULL, COLORS, rgb);
        direct_colour = COLORS >= 1 << 24;
        if (c == WS_COL_TRUE && !direct_colour)
            c = WS_COL_256;   /* no way to send 24-bit colours through this terminfo */
        if (c > colour_from_count(COLORS))
            c = colour_from_count(COLORS);
    }
    use_colour = c != WS_COL_MONO;
    *style = render_style_make(want_utf8(o) ? WS_GLYPH_UTF8 : WS_GLYPH_ASCII, c,
                               use_colour ? COLOR_PAIRS : 0);
}

/* TERM=dumb (or unset, or an entry without cursor addressing) would give a
 * blank screen: say so instead. */
static int can_address_cursor(char *err, size_t errlen)
{
    const char *term = getenv("TERM");
    int e = 0;
    if (!term || !*term) {
        snprintf(err, errlen, "TERM is not set: the TUI needs a terminal that can move the cursor "
                              "(the commands work anywhere: wscope --help)");
        return 0;
    }
    if (setupterm(NULL, STDOUT_FILENO, &e) != OK) {
        snprintf(err, errlen, "TERM=%.60s: no terminfo entry for it (try TERM=xterm-256color; the "
                              "commands work anywhere: wscope --help)", term);
        return 0;
    }
    const char *cup = tigetstr((char *)"cup");
    int ok = cup && cup != (char *)-1;
    del_curterm(cur_term);
    if (!ok)
        snprintf(err, errlen, "TERM=%.60s cannot move the cursor: the TUI needs a terminal that can "
                              "(the commands work anywhere: wscope --help)", term);
    return ok;
}

int term_start(const term_opts *o, render_style *style, char *err, size_t errlen)
{
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "the TUI needs a terminal (see `wscope --help` for the commands)");
        return -1;
    }
    if (!can_address_cursor(err, errlen))
        return -1;
    have_saved_tty = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
    char dbuf[128];
    const char *dterm = direct_term_name(dbuf, sizeof dbuf);
    if (dterm)
        setenv("TERM", dterm, 1);
    if (!(screen = newterm(NULL, stdout, stdin))) {
        snprintf(err, errlen, "cannot start curses on TERM=%s", getenv("TERM") ? getenv("TERM") : "");
        return -1;
    }
    started = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    start_colours(o, style);
    if (o->mouse) {
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
        mouse_on = 1;
    }
    restore_len = 0;
    add_cap("sgr0");
    add_cap("cnorm");
    add_cap("rmkx");
    if (mouse_on)
        add_seq("\033[?1000l\033[?1002l\033[?1006l");
    add_cap("rmcup");
    install_handlers();
    cb_init(&shown, 0, 0);
    return 0;
}

void term_stop(void)
{
    if (!started)
        return;
    started = 0;
    remove_handlers();
    if (mouse_on)
        mousemask(0, NULL);
    endwin();
    delscreen(screen);
    cb_free(&shown);
}

void term_size(int *rows, int *cols)
{
    *rows = LINES;
    *cols = COLS;
}

/* ---- colour pairs ---- */

/* A cache of (fg, bg) -> pair number, defined lazily. Frames use few
 * enough distinct pairs (render_style_make bounds the heatmap levels) that
 * a full cache is simply cleared and the frame repainted. */
enum { PAIR_SLOTS = 8192 };
static struct { int64_t key; int pair; } pairs[PAIR_SLOTS];
static int next_pair = 1, pairs_reset;

static int colour_number(uint32_t c)
{
    if (c == CB_DEFAULT)
        return -1;
    if (CB_IS_PAL(c)) {
        int n = (int)(c & 255);
        return n < COLORS ? n : n & 7;
    }
    if (direct_colour)
        return (int)c;
    int n = colour_rgb_to_256(c);
    return n < COLORS ? n : n & 7;
}

static int pair_limit(void)
{
#if defined(NCURSES_EXT_COLORS) && NCURSES_EXT_COLORS
    return COLOR_PAIRS - 1 < PAIR_SLOTS / 2 ? COLOR_PAIRS - 1 : PAIR_SLOTS / 2;
#else
    return COLOR_PAIRS - 1 < 255 ? COLOR_PAIRS - 1 : 255;
#endif
}

static int pair_for(uint32_t fg, uint32_t bg)
{
    if (!use_colour || (fg == CB_DEFAULT && bg == CB_DEFAULT))
        return 0;
    int64_t key = (int64_t)((uint64_t)fg << 32 | bg);   /* no shift into the sign bit */
    unsigned h = (unsigned)((uint64_t)key * 0x9E3779B97F4A7C15ull >> 51) % PAIR_SLOTS;
    for (;; h = (h + 1) % PAIR_SLOTS) {
        if (pairs[h].pair && pairs[h].key == key)
            return pairs[h].pair;
        if (!pairs[h].pair)
            break;
    }
    if (next_pair > pair_limit()) {
        memset(pairs, 0, sizeof pairs);
        next_pair = 1;
        pairs_reset = 1;
        return pair_for(fg, bg);
    }
    int p = next_pair++;
#if defined(NCURSES_EXT_COLORS) && NCURSES_EXT_COLORS
    init_extended_pair(p, colour_number(fg), colour_number(bg));
#else
    init_pair((short)p, (short)colour_number(fg), (short)colour_number(bg));
#endif
    pairs[h].key = key;
    pairs[h].pair = p;
    return p;
}

/* ---- drawing ---- */

static int same_cell(const cb_cell *a, const cb_cell *b)
{
    return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs && !strcmp(a->glyph, b->glyph);
}

static void put_cell(int y, int x, const cb_cell *c)
{
    wchar_t wc[2] = {L' ', 0};
    mbstate_t st;
    memset(&st, 0, sizeof st);
    if (mbrtowc(&wc[0], c->glyph, strlen(c->glyph), &st) > (size_t)-3 || wc[0] == 0)
        wc[0] = L'?';
    attr_t a = A_NORMAL;
    if (c->attrs & CB_BOLD) a |= A_BOLD;
    if (c->attrs & CB_REVERSE) a |= A_REVERSE;
    if (c->attrs & CB_UNDERLINE) a |= A_UNDERLINE;
    if (c->attrs & CB_DIM) a |= A_DIM;
    int pair = pair_for(c->fg, c->bg);
    cchar_t cc;
    setcchar(&cc, wc, a, 0, &pair);
    mvadd_wch(y, x, &cc);
}

static void blit_once(const cellbuf *cb, int force)
{
    for (int y = 0; y < cb->rows; y++)
        for (int x = 0; x < cb->cols; x++) {
            const cb_cell *c = cb_at_c(cb, y, x);
            if (!force && same_cell(c, cb_at_c(&shown, y, x)))
                continue;
            put_cell(y, x, c);
            if (pairs_reset)
                return;
        }
}

void term_blit(const cellbuf *cb, int force)
{
    if (shown.rows != cb->rows || shown.cols != cb->cols) {
        cb_resize(&shown, cb->rows, cb->cols);
        force = 1;
    }
    if (force)
        clearok(curscr, TRUE);
    pairs_reset = 0;
    blit_once(cb, force);
    if (pairs_reset) {   /* pairs were redefined mid-frame: paint it all again */
        pairs_reset = 0;
        blit_once(cb, 1);
    }
    memcpy(shown.cells, cb->cells, (size_t)cb->rows * (size_t)cb->cols * sizeof *cb->cells);
    wnoutrefresh(stdscr);
    doupdate();
}

/* Sleep until the terminal has input, wake_fd is readable, a signal
 * arrives (a resize) or timeout_ms pass; the terminal's poll events. */
static short wait_input(int timeout_ms, int wake_fd, int *woken)
{
    struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int n = poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms);
    if (n > 0 && p[1].revents) {
        tui_wake_drain();
        *woken = 1;
    }
    return n > 0 ? p[0].revents : 0;
}

int term_getkey(int timeout_ms, int wake_fd)
{
    /* Curses may hold keys already read (the rest of a sequence): those
     * first, then sleep in poll(2) rather than in curses, so that a worker
     * can wake the loop; then the key that woke it, if any. */
    timeout(0);
    int ch = getch();
    short ev = 0;
    int woken = 0;
    if (ch == ERR && timeout_ms != 0) {
        ev = wait_input(timeout_ms, wake_fd, &woken);
        ch = getch();
    }
    if (ch == ERR && (ev & (POLLHUP | POLLERR | POLLNVAL)))
        return TERM_HANGUP;   /* nothing to read, ever: do not wait on it again */
    if (ch == KEY_MOUSE && getmouse(&last_mouse) != OK)
        return -1;
    return ch != ERR ? ch : woken ? TERM_WOKEN : -1;
}

int term_mouse(int *y, int *x)
{
    *y = last_mouse.y;
    *x = last_mouse.x;
    if (last_mouse.bstate & BUTTON4_PRESSED)
        return TERM_WHEEL_UP;
    if (last_mouse.bstate & BUTTON5_PRESSED)
        return TERM_WHEEL_DOWN;
    return TERM_CLICK;
}
