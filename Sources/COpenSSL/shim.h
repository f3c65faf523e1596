#ifndef INGESTD_COPENSSL_SHIM_H
#define INGESTD_COPENSSL_SHIM_H
// OpenSSL's libcrypto, for SHA-256 only: it uses the CPU's SHA extensions where present,
// several times faster than portable code on the multi-megabyte pages the daemon hashes.
#include <openssl/evp.h>

static inline int ingestd_sha256(const void *data, size_t count, unsigned char out[32]) {
    unsigned int length = 32;
    return EVP_Digest(data, count, out, &length, EVP_sha256(), NULL);
}
// The same digest over bytes handed over in pieces: a large input need not be gathered first.
// NULL when libcrypto cannot allocate a context.
static inline void *ingestd_sha256_begin(void) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) { EVP_MD_CTX_free(ctx); return NULL; }
    return ctx;
}
static inline int ingestd_sha256_update(void *ctx, const void *data, size_t count) {
    return EVP_DigestUpdate((EVP_MD_CTX *)ctx, data, count);
}
// Writes the digest and frees the context.
static inline int ingestd_sha256_end(void *ctx, unsigned char out[32]) {
    unsigned int length = 32;
    int ok = EVP_DigestFinal_ex((EVP_MD_CTX *)ctx, out, &length);
    EVP_MD_CTX_free((EVP_MD_CTX *)ctx);
    return ok;
}
#endif
