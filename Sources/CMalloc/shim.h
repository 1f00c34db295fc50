#ifndef DRREPORT_CMALLOC_SHIM_H
#define DRREPORT_CMALLOC_SHIM_H

// glibc's malloc extensions (malloc_trim), which its Swift module does not export.
#if defined(__linux__) && __has_include(<malloc.h>)
#include <malloc.h>
#endif

#endif
