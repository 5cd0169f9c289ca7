#ifndef RECONCILE_CSODIUM_SHIM_H
#define RECONCILE_CSODIUM_SHIM_H
#include <sodium.h>
#endif
