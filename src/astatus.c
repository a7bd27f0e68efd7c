#include "astatus.h"

const char *ws_astatus_text(ws_astatus s)
{
    switch (s) {
    case WS_AS_OK: return "ok";
    case WS_AS_EMPTY: return "empty matrix";
    case WS_AS_NONFINITE: return "NaN or Inf in the values";
    case WS_AS_ZERO: return "zero matrix (no variance)";
    case WS_AS_ONE_ROW: return "a single row (covariance needs two)";
    }
    return "unknown status";
}
