#ifndef COREVIEW_CELFUTILS_SHIM_H
#define COREVIEW_CELFUTILS_SHIM_H
#include <libelf.h>
#include <gelf.h>
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <zlib.h>
#endif
