/*
 * verifier: checks a running provider against contracts (libcurl), with
 * provider states and reports. Empty for now: issue #5 builds it on
 * contracts/.
 */
#ifndef ACCORD_VERIFIER_H
#define ACCORD_VERIFIER_H

#include "contracts/contracts.h"

#endif
