#ifndef INGESTD_CLIBXML2_SHIM_H
#define INGESTD_CLIBXML2_SHIM_H
// libxml2's HTML parser (the one lxml, and through it trafilatura, stands on) and tree API.

#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, whose headers clash with the copy of ICU inside Swift's
// Foundation. Nothing here touches the ICU-dependent fields (of xmlCharEncodingHandler,
// used only through pointers), so the headers are read as if ICU were off.
#undef LIBXML_ICU_ENABLED

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/parserInternals.h>

// A no-op structured error handler: the HTML parser reports every unclosed tag of real-world
// markup, and the default handler would print them all to stderr.
static void ingestd_xml_silent(void *ctx, xmlErrorPtr error) { (void)ctx; (void)error; }
static void ingestd_xml_silent_generic(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static inline void ingestd_xml_silence_errors(void) {
    xmlSetStructuredErrorFunc(NULL, ingestd_xml_silent);
    xmlSetGenericErrorFunc(NULL, ingestd_xml_silent_generic);
}

// xmlFree is a global function pointer (a per-thread one in some builds): called through here.
static inline void ingestd_xml_free(void *p) { xmlFree(p); }
#endif
