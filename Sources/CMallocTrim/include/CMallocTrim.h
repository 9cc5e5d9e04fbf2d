// glibc's malloc_trim, which the Glibc module does not export (it lives in <malloc.h>).
#ifndef CMALLOCTRIM_H
#define CMALLOCTRIM_H
#include <stdlib.h>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
static inline int c_malloc_trim(void) { return malloc_trim(0); }
#else
static inline int c_malloc_trim(void) { return 0; }
#endif
#endif
