#include <stdio.h>
#include "hash.h"

int main(void) {
    printf("%u\n", fnv1a("hello"));
    return 0;
}
