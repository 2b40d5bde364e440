#ifndef COREVIEW_PREFETCH_H
#define COREVIEW_PREFETCH_H
/* A read prefetch hint for the heap walks and graph searches (memory latency bound on big cores). */
static inline void coreview_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
#endif
