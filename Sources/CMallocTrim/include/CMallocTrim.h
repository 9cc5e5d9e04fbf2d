// glibc's malloc_trim, which the Glibc module does not export (it lives in <malloc.h>).
#ifndef CMALLOCTRIM_H
#define CMALLOCTRIM_H
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
static inline int c_malloc_trim(void) { return malloc_trim(0); }
#else
static inline int c_malloc_trim(void) { return 0; }
#endif
#endif
