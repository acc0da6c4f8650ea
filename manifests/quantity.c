/* SPDX-License-Identifier: Apache-2.0 */
#include "quantity.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <string.h>

#include "xalloc.h"

#define MAX_DIGITS 30

static int suffix(const char *s, int *ret_exp10, int *ret_exp2)
{
    static const struct {
        const char *name;
        int exp10, exp2;
    } table[] = {{"", 0, 0},    {"n", -9, 0},  {"u", -6, 0},  {"m", -3, 0},
                 {"k", 3, 0},   {"M", 6, 0},   {"G", 9, 0},   {"T", 12, 0},
                 {"P", 15, 0},  {"E", 18, 0},  {"Ki", 0, 10}, {"Mi", 0, 20},
                 {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (!strcmp(s, table[i].name)) {
            *ret_exp10 = table[i].exp10;
            *ret_exp2 = table[i].exp2;
            return 0;
        }
    /* "e"/"E" with a signed integer: a decimal exponent */
    if ((s[0] == 'e' || s[0] == 'E') && s[1]) {
        const char *p = s + 1 + (s[1] == '+' || s[1] == '-');
        if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 3)
            return -EINVAL;
        int v = 0;
        for (; *p; p++)
            v = v * 10 + (*p - '0');
        *ret_exp10 = s[1] == '-' ? -v : v;
        *ret_exp2 = 0;
        return 0;
    }
    return -EINVAL;
}

int quantity_parse_milli(const char *s, int64_t *ret)
{
    if (!s || !*s)
        return -EINVAL;
    bool neg = *s == '-';
    if (*s == '+' || *s == '-')
        s++;
    unsigned __int128 mant = 0;
    int digits = 0, frac = 0;
    bool dot = false;
    for (; isdigit((unsigned char) *s) || *s == '.'; s++) {
        if (*s == '.') {
            if (dot)
                return -EINVAL;
            dot = true;
            continue;
        }
        if (++digits > MAX_DIGITS)
            return -ERANGE;
        mant = mant * 10 + (unsigned) (*s - '0');
        frac += dot;
    }
    int e10, e2;
    if (digits == 0 || suffix(s, &e10, &e2) < 0)
        return -EINVAL;
    e10 += 3 - frac; /* thousandths */
    unsigned __int128 limit = (unsigned __int128) INT64_MAX;
    for (; e2 > 0; e2--) {
        mant <<= 1;
        if (mant > limit)
            return -ERANGE;
    }
    for (; e10 > 0; e10--) {
        mant *= 10;
        if (mant > limit)
            return -ERANGE;
    }
    for (; e10 < 0; e10++)
        mant = (mant + 9) / 10; /* rounded up, as Kubernetes' Value() */
    if (mant > limit)
        return -ERANGE;
    *ret = neg ? -(int64_t) mant : (int64_t) mant;
    return 0;
}

char *quantity_format_bytes(int64_t v)
{
    static const char binary[][3] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    static const char decimal[][2] = {"k", "M", "G", "T", "P", "E"};
    if (v <= 0)
        return xasprintf("%lld", (long long) v);
    int b = -1, d = -1;
    for (int64_t n = v; b < 5 && n % 1024 == 0; n /= 1024)
        b++;
    for (int64_t n = v; d < 5 && n % 1000 == 0; n /= 1000)
        d++;
    int64_t unit = 1;
    if (b >= 0) { /* a power of 1024 first, as "64Mi" is written */
        for (int i = 0; i <= b; i++)
            unit *= 1024;
        return xasprintf("%lld%s", (long long) (v / unit), binary[b]);
    }
    if (d >= 0) {
        for (int i = 0; i <= d; i++)
            unit *= 1000;
        return xasprintf("%lld%s", (long long) (v / unit), decimal[d]);
    }
    return xasprintf("%lld", (long long) v);
}
