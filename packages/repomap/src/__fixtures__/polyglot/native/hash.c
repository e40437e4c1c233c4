#include "hash.h"

uint32_t fnv1a(const char *text) {
    uint32_t hash = 2166136261u;
    for (; *text; text++) {
        hash ^= (uint8_t)*text;
        hash *= 16777619u;
    }
    return hash;
}
