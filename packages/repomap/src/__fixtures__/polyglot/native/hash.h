#ifndef HASH_H
#define HASH_H
#include <stdint.h>

uint32_t fnv1a(const char *text);

#endif
