#ifndef INGESTD_CMALLOC_H
#define INGESTD_CMALLOC_H

/* glibc's malloc_trim(0): gives the pages of freed heap memory back to the kernel. Swift's Glibc
   module does not export <malloc.h>. Returns 1 when memory was released. */
int ingestd_malloc_trim(void);

#endif
