/* The header's inline functions are the whole module; a C target needs one source file. */
#include "cprefetch.h"
