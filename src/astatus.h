/* Why an analysis of one matrix has no numbers: a status, not an error.
 *
 * A zero matrix or a matrix with NaN is a fact about the model, not a
 * failure of the program, so the per-matrix analyses record a status and
 * leave their numbers NaN; a table then shows the reason in its row. */
#ifndef WS_ASTATUS_H
#define WS_ASTATUS_H

typedef enum ws_astatus {
    WS_AS_OK = 0,
    WS_AS_EMPTY,        /* no elements */
    WS_AS_NONFINITE,    /* a NaN or Inf among the values */
    WS_AS_ZERO,         /* all values zero (or, centred, all rows equal) */
    WS_AS_ONE_ROW,      /* a covariance over rows needs at least two rows */
} ws_astatus;

/* Short text for tables and messages, e.g. "NaN or Inf in the values". */
const char *ws_astatus_text(ws_astatus s);

#endif
