#ifndef INGESTD_CCURL_SHIM_H
#define INGESTD_CCURL_SHIM_H
// libcurl (Debian's libcurl4-openssl-dev). curl_easy_setopt, curl_easy_getinfo and
// curl_multi_setopt are variadic, which Swift cannot call: these typed wrappers can.
#include <curl/curl.h>

static inline CURLcode ingestd_curl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ingestd_curl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ingestd_curl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ingestd_curl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ingestd_curl_easy_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*ingestd_curl_data_callback)(char *data, size_t size, size_t count, void *user);
static inline CURLcode ingestd_curl_easy_setopt_data_callback(CURL *h, CURLoption o, ingestd_curl_data_callback f) {
    return curl_easy_setopt(h, o, f);
}

static inline CURLcode ingestd_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ingestd_curl_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ingestd_curl_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }

static inline curl_version_info_data *ingestd_curl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }

static inline CURLMcode ingestd_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

// The connection-level socket hook, where the address about to be connected to is known: the
// place to refuse private addresses that a DNS name or a redirect led to.
typedef curl_socket_t (*ingestd_curl_opensocket_callback)(void *user, curlsocktype purpose, struct curl_sockaddr *address);
static inline CURLcode ingestd_curl_easy_setopt_opensocket(CURL *h, ingestd_curl_opensocket_callback f) {
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, f);
}

// Called once a connection is there (new or reused) and before the request goes out, with the
// address it is connected to: a reused connection gets the address check too.
typedef int (*ingestd_curl_prereq_callback)(void *user, char *primary_ip, char *local_ip, int primary_port, int local_port);
static inline CURLcode ingestd_curl_easy_setopt_prereq(CURL *h, ingestd_curl_prereq_callback f) {
    return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, f);
}

typedef int (*ingestd_curl_closesocket_callback)(void *user, curl_socket_t fd);
static inline CURLcode ingestd_curl_easy_setopt_closesocket(CURL *h, ingestd_curl_closesocket_callback f) {
    return curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, f);
}

/// The numeric address in `address` ("127.0.0.1", "::1") into `out`; 0 on success.
#include <arpa/inet.h>
#include <netinet/in.h>
static inline int ingestd_curl_sockaddr_text(const struct curl_sockaddr *address, char *out, unsigned int size) {
    if (address->family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&address->addr;
        return inet_ntop(AF_INET, &a->sin_addr, out, size) ? 0 : -1;
    }
    if (address->family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&address->addr;
        return inet_ntop(AF_INET6, &a->sin6_addr, out, size) ? 0 : -1;
    }
    return -1;
}

/// A finished transfer's result code (a union member Swift cannot name).
static inline CURLcode ingestd_curl_msg_result(const CURLMsg *m) { return m->data.result; }
#endif
