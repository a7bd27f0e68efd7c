/* The row fit view: a row with its Gaussian fit overlaid. */
#ifndef WS_VIEW_ROWFIT_H
#define WS_VIEW_ROWFIT_H

#include "view.h"

/* `data` is the tensor's float32 view (rows × cols), already loaded. */
view *view_rowfit_new(tui *t, ws_tensor *tensor, const float *data, int64_t row);

#endif
