#ifndef DRREPORT_CLIBXML2_SHIM_H
#define DRREPORT_CLIBXML2_SHIM_H

// Debian builds libxml2 with ICU; its headers would then include ICU's unicode/*.h, which clash with
// Foundation's own ICU module on a clean build. drreport does not use libxml2's ICU encoders.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/c14n.h>
#include <libxml/xpath.h>

#endif
