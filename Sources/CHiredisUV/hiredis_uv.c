#include "hiredis_uv.h"
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct fs_uv_events {
  redisAsyncContext *context;
  uv_poll_t handle;
  int events;
} fs_uv_events;

static void fs_uv_poll(uv_poll_t *handle, int status, int events) {
  fs_uv_events *p = (fs_uv_events *)handle->data;
  // hiredis 1.x behaviour: on an error status let hiredis do the I/O so it
  // notices the failure (ECONNREFUSED, ECONNRESET...) and reports it.
  int ev = (status ? p->events : events);
  if (p->context != NULL && (ev & UV_READABLE)) redisAsyncHandleRead(p->context);
  if (p->context != NULL && (ev & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

static void fs_uv_update(fs_uv_events *p) {
  if (p->events) uv_poll_start(&p->handle, p->events, fs_uv_poll);
  else uv_poll_stop(&p->handle);
}

/* Turns interest in `event` (UV_READABLE or UV_WRITABLE) on or off. */
static void fs_uv_want(void *privdata, int event, int wanted) {
  fs_uv_events *p = (fs_uv_events *)privdata;
  if (wanted) p->events |= event;
  else p->events &= ~event;
  fs_uv_update(p);
}

static void fs_uv_add_read(void *privdata) { fs_uv_want(privdata, UV_READABLE, 1); }
static void fs_uv_del_read(void *privdata) { fs_uv_want(privdata, UV_READABLE, 0); }
static void fs_uv_add_write(void *privdata) { fs_uv_want(privdata, UV_WRITABLE, 1); }
static void fs_uv_del_write(void *privdata) { fs_uv_want(privdata, UV_WRITABLE, 0); }

static void fs_uv_on_close(uv_handle_t *handle) { free(handle->data); }

static void fs_uv_cleanup(void *privdata) {
  fs_uv_events *p = (fs_uv_events *)privdata;
  p->context = NULL;  // the context may be gone after this returns
  uv_close((uv_handle_t *)&p->handle, fs_uv_on_close);
}

int fs_hiredis_uv_attach(redisAsyncContext *ac, void *uv_loop) {
  uv_loop_t *loop = (uv_loop_t *)uv_loop;
  if (ac->ev.data != NULL) return REDIS_ERR;
  fs_uv_events *p = (fs_uv_events *)calloc(1, sizeof(*p));
  if (!p) return REDIS_ERR;
  if (uv_poll_init(loop, &p->handle, ac->c.fd) != 0) {
    free(p);
    return REDIS_ERR;
  }
  ac->ev.addRead = fs_uv_add_read;
  ac->ev.delRead = fs_uv_del_read;
  ac->ev.addWrite = fs_uv_add_write;
  ac->ev.delWrite = fs_uv_del_write;
  ac->ev.cleanup = fs_uv_cleanup;
  ac->ev.data = p;
  p->handle.data = p;
  p->context = ac;
  return REDIS_OK;
}
