#ifndef FLASHSALE_HIREDIS_UV_H
#define FLASHSALE_HIREDIS_UV_H
// A hiredis <-> libuv adapter for hiredis 0.14.1.
//
// The Debian 0.14.1 adapter (hiredis/adapters/libuv.h) returns early from its
// poll callback when libuv reports an error status, so a refused or reset
// connection is never handed to hiredis and pending commands hang forever.
// This adapter does what hiredis 1.x does: an error status is treated as
// "readable and writable" so hiredis performs the I/O, sees the error and
// runs its connect/disconnect callbacks.
//
// The loop is passed as `void *` so that this header pulls in no libuv types.
#include <hiredis/async.h>

/// Attaches `ac` to the libuv loop `uv_loop` (a `uv_loop_t *`).
/// Returns REDIS_OK or REDIS_ERR. The adapter's poll handle is closed and
/// freed by hiredis' cleanup hook; never close it yourself.
int fs_hiredis_uv_attach(redisAsyncContext *ac, void *uv_loop);

#endif
