#ifndef KG_CLIBXML2_SHIM_H
#define KG_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU; hiding it avoids clashing UErrorCode definitions with Foundation. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/HTMLparser.h>

/* xmlFree is a global function pointer; Swift 6 rejects it, so wrap it. */
static inline void kg_xmlFree(void *p) { xmlFree(p); }
#endif
