/* The figure options shared by `wscope plot` and `wscope report`: size,
 * resolution, title, log axis, colour map and range, aspect. */
#ifndef WS_FIGURE_ARGS_H
#define WS_FIGURE_ARGS_H

#include <getopt.h>

#include "plots.h"

/* getopt_long entries for the options (ids from 0x100 up), ending in a
 * zero entry; copy them into a command's own table. */
#define FIGURE_ARGS_N 10
extern const struct option figure_args_options[FIGURE_ARGS_N];

typedef struct figure_args {
    ws_plot_opts o;
    const char *size;     /* --size as given, resolved once --dpi is known */
} figure_args;

/* The usage text of the options: lines of at most 80 columns, each
 * indented by 10 spaces and ending in a newline. */
#define FIGURE_ARGS_USAGE                                                                \
    "          [--size WxH|WxHin] [--dpi N] [--title T] [--aspect equal|auto]\n"        \
    "          [--cmap diverging|sequential|NAME] [--vmin X] [--vmax X]\n"             \
    "          [--clip P] [--logy]\n"

/* Handle option `c` (from getopt_long) with argument `arg`: 1 when it was
 * a figure option, 0 when not, 2 on a bad value (printed). */
int figure_args_take(figure_args *a, int c, const char *arg);
/* After parsing: resolve the size (inches need the dpi). 0 or 2 (printed). */
int figure_args_finish(figure_args *a);

#endif
