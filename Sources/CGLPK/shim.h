#ifndef RECONCILE_CGLPK_SHIM_H
#define RECONCILE_CGLPK_SHIM_H
// GLPK from the system (Debian: libglpk-dev). Debian ships no glpk.pc, so the module map names the library.
#include <glpk.h>
#endif
