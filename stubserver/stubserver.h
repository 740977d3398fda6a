/*
 * stubserver: the HTTP/1.1 stub server (libuv), fault injection, admin API,
 * mock and record modes. Empty for now: issue #3 builds it on contracts/.
 */
#ifndef ACCORD_STUBSERVER_H
#define ACCORD_STUBSERVER_H

#include "contracts/contracts.h"

#endif
