/*
 * glibc 2.38 -> 2.36 compatibility shim for the aarch64 cross-build
 * (cross/build-arm64.sh links it into every --static-swift-stdlib binary).
 *
 * Why: the Swift 6.2.3 static runtime archives for aarch64 come from Debian
 * sid (package swiftlang:arm64), where they were compiled against glibc 2.42
 * headers. Those headers redirect strtol & co. to the C23 variants
 * __isoc23_strtol..., sscanf to __isoc23_sscanf, and declare strlcpy/strlcat,
 * all of which first appeared in glibc 2.38. A Raspberry Pi runs Debian 12
 * (bookworm, glibc 2.36), which has none of them: without this file the link
 * against the bookworm sysroot fails with undefined symbols (or, linked
 * against a newer glibc, the binary refuses to start on the Pi).
 *
 * What: each symbol below forwards to the glibc 2.36 function with the same
 * behaviour, except for what C23 added: the "0b"/"0B" binary prefix in
 * strto* with base 0 or 2, and %b in sscanf. Neither the Swift runtime,
 * Foundation, ICU nor libdispatch parse binary literals through libc.
 * strlcpy/strlcat are the BSD functions (glibc 2.38 copied their semantics).
 *
 * Keep it minimal: cross/build-arm64.sh checks that every symbol defined here
 * is still referenced by an archive of the pinned swiftlang:arm64 package
 * (and fails if one is not), and that the linked binaries need no glibc symbol
 * newer than 2.36. __isoc23_strtoull is not here: no archive of
 * swiftlang 6.2.3-1+b1 references it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long __isoc23_strtol(const char *nptr, char **endptr, int base);
long long __isoc23_strtoll(const char *nptr, char **endptr, int base);
unsigned long __isoc23_strtoul(const char *nptr, char **endptr, int base);
int __isoc23_sscanf(const char *s, const char *format, ...);
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);

long __isoc23_strtol(const char *nptr, char **endptr, int base) {
    return strtol(nptr, endptr, base);
}

long long __isoc23_strtoll(const char *nptr, char **endptr, int base) {
    return strtoll(nptr, endptr, base);
}

unsigned long __isoc23_strtoul(const char *nptr, char **endptr, int base) {
    return strtoul(nptr, endptr, base);
}

int __isoc23_sscanf(const char *s, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsscanf(s, format, ap);
    va_end(ap);
    return n;
}

size_t strlcpy(char *dst, const char *src, size_t size) {
    size_t len = strlen(src);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

size_t strlcat(char *dst, const char *src, size_t size) {
    size_t dlen = strnlen(dst, size);
    if (dlen == size) return size + strlen(src);
    return dlen + strlcpy(dst + dlen, src, size - dlen);
}
