#ifndef INGESTD_CLIBPQ_SHIM_H
#define INGESTD_CLIBPQ_SHIM_H
// libpq (Debian's libpq-dev), PostgreSQL's own client library: the cluster's shared dedupe
// index, feed leases and records (issue 20). Synchronous calls on the daemon's blocking-work
// queues; TLS, SCRAM, Unix sockets, service and password files come with it.
#include <libpq-fe.h>
#endif
