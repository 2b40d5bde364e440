/* CPrefetch is header-only (prefetch.h); SwiftPM wants one source file per C target. */
#include "prefetch.h"
