#ifndef FLASHSALE_CHTTPPARSER_SHIM_H
#define FLASHSALE_CHTTPPARSER_SHIM_H
#include <http_parser.h>
#endif
