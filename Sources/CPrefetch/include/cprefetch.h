#ifndef INGESTD_CPREFETCH_H
#define INGESTD_CPREFETCH_H

/* A hint to the CPU to start loading the cache line at `address`; Swift has no spelling of
   __builtin_prefetch. It never faults, so any address is safe. */
static inline void ingestd_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
static inline void ingestd_prefetch_for_write(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif
