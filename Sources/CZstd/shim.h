#ifndef INGESTD_CZSTD_SHIM_H
#define INGESTD_CZSTD_SHIM_H
// libzstd (Debian's libzstd-dev), for zstd-compressed record segments (the streaming API:
// a segment is compressed and read back in pieces, never held whole).
#include <zstd.h>
#endif
