#ifndef INGESTD_COPENSSL_SHIM_H
#define INGESTD_COPENSSL_SHIM_H
// OpenSSL's libcrypto, for SHA-256 only: it uses the CPU's SHA extensions where present,
// several times faster than portable code on the multi-megabyte pages the daemon hashes.
#include <openssl/evp.h>

static inline int ingestd_sha256(const void *data, size_t count, unsigned char out[32]) {
    unsigned int length = 32;
    return EVP_Digest(data, count, out, &length, EVP_sha256(), NULL);
}
#endif
