#ifndef INGESTD_CZLIB_SHIM_H
#define INGESTD_CZLIB_SHIM_H
// zlib (Debian's zlib1g-dev), for gzip-compressed record segments. deflateInit2 and
// inflateInit2 are macros (they pass the library's version and struct size), which Swift
// cannot call: these wrappers can.
#include <zlib.h>

/// A deflate stream writing the gzip format (RFC 1952), readable by `gzip -d`.
static inline int ingestd_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/// An inflate stream reading gzip (or zlib) data, told apart by its header.
static inline int ingestd_inflate_init_auto(z_stream *s) {
    return inflateInit2(s, 15 + 32);
}
#endif
