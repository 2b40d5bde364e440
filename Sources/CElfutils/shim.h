#ifndef COREVIEW_CELFUTILS_SHIM_H
#define COREVIEW_CELFUTILS_SHIM_H
#include <libelf.h>
#include <gelf.h>
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <zlib.h>

/* A read prefetch hint for the heap walks (memory latency bound on big cores). */
static inline void coreview_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
#endif
