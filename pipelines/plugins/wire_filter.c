// wire_filter: a wasm-plugin/1 reference plugin (docs/plugins.md, "wasm").
//
// Tells wire copy from a desk's own reporting: finds a wire-service credit such as
// "(Reuters) -", "(AP) —" or "PARIS (AFP) –" in the lead of the document's `text`, and writes
// extensions.<stage> = {"wire": true|false, "agency": "Reuters"|null}. With the option
// {"drop_wire": true} it drops wire copy instead.
//
// Freestanding C: no libc, no WASI, no imports at all. Build it with scripts/build-plugins
// (the Swift toolchain's clang --target=wasm32 and wasm-ld).

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

// ---- memory: a bump allocator over the linear memory --------------------------------------

extern u8 __heap_base;  // provided by wasm-ld: the first byte after the data and the stack
static u32 heap_top;

static u8 *bump(u32 len) {
    u32 start = (heap_top + 7u) & ~7u;
    u32 end = start + len;
    if (end < start) return 0;
    u32 have = (u32)__builtin_wasm_memory_size(0) * 65536u;
    if (end > have) {
        u32 pages = (end - have + 65535u) / 65536u;
        if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return 0;
    }
    heap_top = end;
    return (u8 *)start;
}

// The host calls alloc once per call, for the request, after it has copied the previous
// answer out: everything allocated before is dead, so the heap starts over.
__attribute__((export_name("alloc"))) u8 *alloc(u32 len) {
    heap_top = (u32)&__heap_base;
    return bump(len);
}

// ---- a tiny JSON scanner: enough to find members and read strings ------------------------

typedef struct { const u8 *p, *end; } cursor;

static void ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

// Skips a string whose opening quote is at c->p; returns 0 if it is not terminated.
static int skip_string(cursor *c) {
    if (c->p >= c->end || *c->p != '"') return 0;
    c->p++;
    while (c->p < c->end) {
        u8 b = *c->p++;
        if (b == '\\') { if (c->p >= c->end) return 0; c->p++; }
        else if (b == '"') return 1;
    }
    return 0;
}

static int skip_value(cursor *c, int depth) {
    ws(c);
    if (c->p >= c->end || depth > 64) return 0;
    u8 b = *c->p;
    if (b == '"') return skip_string(c);
    if (b == '{' || b == '[') {
        u8 close = b == '{' ? '}' : ']';
        c->p++;
        ws(c);
        if (c->p < c->end && *c->p == close) { c->p++; return 1; }
        for (;;) {
            if (b == '{') {
                ws(c);
                if (!skip_string(c)) return 0;
                ws(c);
                if (c->p >= c->end || *c->p != ':') return 0;
                c->p++;
            }
            if (!skip_value(c, depth + 1)) return 0;
            ws(c);
            if (c->p >= c->end) return 0;
            if (*c->p == ',') { c->p++; continue; }
            if (*c->p == close) { c->p++; return 1; }
            return 0;
        }
    }
    // number, true, false, null: run to the next delimiter
    while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' && *c->p != ' ' && *c->p != '\n'
           && *c->p != '\t' && *c->p != '\r') c->p++;
    return 1;
}

static int key_is(const u8 *start, const u8 *end, const char *name) {
    // start..end spans the quoted key, quotes included; keys we look for have no escapes
    start++; end--;
    while (start < end && *name) { if (*start++ != (u8)*name++) return 0; }
    return start == end && *name == 0;
}

// Finds `name` among the members of the object at c->p; on success c->p is at its value.
static int member(cursor *c, const char *name) {
    ws(c);
    if (c->p >= c->end || *c->p != '{') return 0;
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') return 0;
    for (;;) {
        ws(c);
        const u8 *k = c->p;
        if (!skip_string(c)) return 0;
        const u8 *kend = c->p;
        ws(c);
        if (c->p >= c->end || *c->p != ':') return 0;
        c->p++;
        ws(c);
        if (key_is(k, kend, name)) return 1;
        if (!skip_value(c, 1)) return 0;
        ws(c);
        if (c->p >= c->end || *c->p != ',') return 0;
        c->p++;
    }
}

static int hexval(u8 b) {
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    return -1;
}

// Decodes at most `limit` bytes of the string at c->p into out (UTF-8); returns the length.
// Surrogate pairs are not joined: a lone half becomes U+FFFD, which no credit contains.
static u32 read_string(cursor *c, u8 *out, u32 limit) {
    u32 n = 0;
    if (c->p >= c->end || *c->p != '"') return 0;
    c->p++;
    while (c->p < c->end && n + 4 <= limit) {
        u8 b = *c->p++;
        if (b == '"') break;
        if (b != '\\') { out[n++] = b; continue; }
        if (c->p >= c->end) break;
        u8 e = *c->p++;
        switch (e) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case 'b': case 'f': out[n++] = ' '; break;
        case 'u': {
            u32 cp = 0;
            for (int i = 0; i < 4; i++) {
                int h = c->p < c->end ? hexval(*c->p++) : -1;
                if (h < 0) return n;
                cp = cp * 16 + (u32)h;
            }
            if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
            if (cp < 0x80) out[n++] = (u8)cp;
            else if (cp < 0x800) { out[n++] = (u8)(0xC0 | cp >> 6); out[n++] = (u8)(0x80 | (cp & 0x3F)); }
            else { out[n++] = (u8)(0xE0 | cp >> 12); out[n++] = (u8)(0x80 | ((cp >> 6) & 0x3F)); out[n++] = (u8)(0x80 | (cp & 0x3F)); }
            break;
        }
        default: out[n++] = e; break;  // \" \\ \/
        }
    }
    return n;
}

// ---- output --------------------------------------------------------------------------------

typedef struct { u8 *buf; u32 len, cap; } sink;

static void put(sink *s, const u8 *bytes, u32 n) {
    for (u32 i = 0; i < n && s->len < s->cap; i++) s->buf[s->len++] = bytes[i];
}
static void puts_(sink *s, const char *text) {
    while (*text && s->len < s->cap) s->buf[s->len++] = (u8)*text++;
}
static u64 pack(sink *s) { return ((u64)(u32)s->buf << 32) | s->len; }

// ---- the plugin ----------------------------------------------------------------------------

static int drop_wire;
// The stage name as it appeared in the handshake, still JSON-escaped, quotes excluded.
static u8 stage_name[128];
static u32 stage_len;

static const char *const agencies[] = {"Reuters", "AP", "AFP", "Bloomberg", "dpa", "Yonhap", "Xinhua", "Kyodo", 0};

// Credits sit in the lead; looking further would flag a report that quotes a wire story.
#define LEAD_BYTES 600

static int is_dash_at(const u8 *p, const u8 *end) {
    if (p < end && *p == '-') return 1;
    // U+2013 EN DASH, U+2014 EM DASH
    return end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94);
}

// Returns the agency credited as "(AGENCY)" followed by a dash, or 0.
static const char *credited_agency(const u8 *text, u32 len) {
    const u8 *end = text + len;
    for (const u8 *p = text; p < end; p++) {
        if (*p != '(') continue;
        for (int a = 0; agencies[a]; a++) {
            const u8 *q = p + 1;
            const char *name = agencies[a];
            while (*name && q < end && *q == (u8)*name) { q++; name++; }
            if (*name || q >= end || *q != ')') continue;
            q++;
            while (q < end && *q == ' ') q++;
            if (is_dash_at(q, end)) return agencies[a];
        }
    }
    return 0;
}

static u64 answer_error(const char *message) {
    sink s = {bump(256), 0, 256};
    if (!s.buf) return 0;
    puts_(&s, "{\"error\":\"");
    puts_(&s, message);
    puts_(&s, "\"}");
    return pack(&s);
}

__attribute__((export_name("init"))) u64 init(u8 *ptr, u32 len) {
    cursor c = {ptr, ptr + len};
    cursor s = c;
    stage_len = 0;
    if (member(&s, "stage") && *s.p == '"') {
        const u8 *start = s.p + 1;
        if (skip_string(&s) && (u32)(s.p - 1 - start) <= sizeof stage_name) {
            stage_len = (u32)(s.p - 1 - start);
            for (u32 i = 0; i < stage_len; i++) stage_name[i] = start[i];
        }
    }
    if (stage_len == 0) return answer_error("the handshake has no usable \\\"stage\\\"");
    drop_wire = 0;
    cursor o = c;
    if (member(&o, "options")) {
        cursor d = o;
        if (member(&d, "drop_wire")) {
            if (d.end - d.p >= 4 && d.p[0] == 't' && d.p[1] == 'r' && d.p[2] == 'u' && d.p[3] == 'e') drop_wire = 1;
            else if (d.end - d.p >= 5 && d.p[0] == 'f' && d.p[1] == 'a' && d.p[2] == 'l' && d.p[3] == 's' && d.p[4] == 'e') drop_wire = 0;
            else return answer_error("option drop_wire must be true or false");
        }
    }
    sink out = {bump(32), 0, 32};
    if (!out.buf) return 0;
    puts_(&out, "{\"ready\":true}");
    return pack(&out);
}

__attribute__((export_name("process"))) u64 process(u8 *ptr, u32 len) {
    cursor c = {ptr, ptr + len};
    // The id, copied as it came (still a valid JSON string, quotes included).
    cursor i = c;
    if (!member(&i, "id")) return 0;
    const u8 *id = i.p;
    if (!skip_string(&i)) return 0;
    u32 id_len = (u32)(i.p - id);

    const char *agency = 0;
    cursor d = c;
    if (member(&d, "document")) {
        cursor t = d;
        if (member(&t, "text") && *t.p == '"') {
            u8 *lead = bump(LEAD_BYTES + 4);
            if (!lead) return 0;
            u32 n = read_string(&t, lead, LEAD_BYTES + 4);
            agency = credited_agency(lead, n);
        }
    }

    u32 cap = id_len + stage_len + 128;
    sink out = {bump(cap), 0, cap};
    if (!out.buf) return 0;
    puts_(&out, "{\"id\":");
    put(&out, id, id_len);
    if (agency && drop_wire) {
        puts_(&out, ",\"drop\":\"wire copy (");
        puts_(&out, agency);
        puts_(&out, ")\"}");
        return pack(&out);
    }
    puts_(&out, ",\"set\":{\"extensions.");
    put(&out, stage_name, stage_len);
    puts_(&out, "\":{\"wire\":");
    puts_(&out, agency ? "true" : "false");
    puts_(&out, ",\"agency\":");
    if (agency) { puts_(&out, "\""); puts_(&out, agency); puts_(&out, "\""); }
    else puts_(&out, "null");
    puts_(&out, "}}}");
    return pack(&out);
}
