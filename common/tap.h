/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A minimal TAP producer for unit tests: exit 0 pass, 1 fail, 77 skip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

#define tap_ok(cond, ...)                                                                          \
    do {                                                                                           \
        tap_count++;                                                                               \
        int _ok = !!(cond);                                                                        \
        if (!_ok)                                                                                  \
            tap_failed++;                                                                          \
        printf("%sok %d - ", _ok ? "" : "not ", tap_count);                                        \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        if (!_ok)                                                                                  \
            printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
    } while (0)

#define tap_is_str(a, b, ...)                                                                      \
    do {                                                                                           \
        const char *_a = (a), *_b = (b);                                                           \
        tap_ok(_a &&_b &&strcmp(_a, _b) == 0, __VA_ARGS__);                                        \
        if (!(_a && _b && strcmp(_a, _b) == 0))                                                    \
            printf("#   got '%s', expected '%s'\n", _a ? _a : "(null)", _b ? _b : "(null)");       \
    } while (0)

#define tap_is_int(a, b, ...)                                                                      \
    do {                                                                                           \
        long long _a = (long long) (a), _b = (long long) (b);                                      \
        tap_ok(_a == _b, __VA_ARGS__);                                                             \
        if (_a != _b)                                                                              \
            printf("#   got %lld, expected %lld\n", _a, _b);                                       \
    } while (0)

static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    if (tap_count == 0) {
        printf("# no tests ran\n");
        return 1;
    }
    return tap_failed ? 1 : 0;
}

static inline void tap_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(77);
}
