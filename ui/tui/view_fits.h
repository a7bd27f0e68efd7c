/* The fits table: Gaussian fit summaries of every weight matrix. */
#ifndef WS_VIEW_FITS_H
#define WS_VIEW_FITS_H

#include "view.h"

view *view_fits_new(tui *t);

#endif
