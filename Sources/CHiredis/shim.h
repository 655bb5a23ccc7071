#ifndef FLASHSALE_CHIREDIS_SHIM_H
#define FLASHSALE_CHIREDIS_SHIM_H
// No pkgConfig on purpose: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM rejects.
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#endif
