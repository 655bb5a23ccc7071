#ifndef FLASHSALE_CLIBUV_SHIM_H
#define FLASHSALE_CLIBUV_SHIM_H
#include <uv.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#endif
