#ifndef EDGE_CGPIOD_SHIM_H
#define EDGE_CGPIOD_SHIM_H
#include <gpiod.h>
#endif
