#include "cmalloc.h"
#include <malloc.h>

int ingestd_malloc_trim(void) { return malloc_trim(0); }
