// noop: the smallest module that speaks wasm-plugin/1 (docs/plugins.md, "wasm"), and the
// no-op stage of ingestd-bench --wasm. It answers every document with {"id":ID,"set":{}},
// written over the request in place: the request starts {"id":"...", so the answer is that
// prefix followed by ,"set":{}}. No init export: nothing to configure.
//
// Freestanding C, no imports; scripts/build-plugins builds it.

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

extern u8 __heap_base;

__attribute__((export_name("alloc"))) u8 *alloc(u32 len) {
    u32 start = (u32)&__heap_base;
    u32 end = start + len + 16;  // room for the answer's tail past a short request
    u32 have = (u32)__builtin_wasm_memory_size(0) * 65536u;
    if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535u) / 65536u) == (unsigned long)-1) return 0;
    return (u8 *)start;
}

__attribute__((export_name("process"))) u64 process(u8 *ptr, u32 len) {
    static const char prefix[] = "{\"id\":\"";
    for (u32 i = 0; i < sizeof prefix - 1; i++)
        if (i >= len || ptr[i] != (u8)prefix[i]) return 0;
    u32 i = sizeof prefix - 1;
    while (i < len && ptr[i] != '"') i += ptr[i] == '\\' ? 2 : 1;
    if (i >= len) return 0;
    i++;  // past the id's closing quote
    static const char tail[] = ",\"set\":{}}";
    for (u32 k = 0; k < sizeof tail - 1; k++) ptr[i + k] = (u8)tail[k];
    return ((u64)(u32)ptr << 32) | (i + sizeof tail - 1);
}
