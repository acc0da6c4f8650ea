/* SPDX-License-Identifier: Apache-2.0 */
#include "quantity.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
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

/* --- String() of resource.Quantity --- */

enum quantity_format { QF_DECIMAL_SI, QF_BINARY_SI, QF_DECIMAL_EXPONENT };

/* A quantity's text split as Kubernetes' scanner splits it. */
struct quantity_text {
    bool neg;
    char num[64];   /* integer digits, leading zeros stripped ("0" when none) */
    char denom[64]; /* fraction digits as written */
    enum quantity_format format;
    int base;     /* 10 or 2 */
    int exponent; /* of base */
};

static int scan_digits(const char **p, char *out, size_t size)
{
    size_t n = strspn(*p, "0123456789");
    if (n >= size)
        return -ERANGE;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n;
    return 0;
}

/* The suffix: "" and the decimal SI ones, the binary ones, or e/E and a signed integer. */
static int interpret_suffix(const char *s, struct quantity_text *q)
{
    int e10 = 0, e2 = 0;
    if (suffix(s, &e10, &e2) < 0)
        return -EINVAL;
    bool exponent_form = (s[0] == 'e' || s[0] == 'E') && strcmp(s, "E") && strcmp(s, "Ei");
    q->format = exponent_form ? QF_DECIMAL_EXPONENT : e2 ? QF_BINARY_SI : QF_DECIMAL_SI;
    q->base = e2 ? 2 : 10;
    q->exponent = e2 ? e2 : e10;
    return 0;
}

static int quantity_scan(const char *s, struct quantity_text *q)
{
    *q = (struct quantity_text){0};
    if (*s == '-' || *s == '+')
        q->neg = *s++ == '-';
    while (*s == '0')
        s++;
    if (scan_digits(&s, q->num, sizeof(q->num)) < 0)
        return -ERANGE;
    if (!q->num[0])
        strcpy(q->num, "0");
    if (*s == '.') {
        s++;
        if (scan_digits(&s, q->denom, sizeof(q->denom)) < 0)
            return -ERANGE;
    }
    /* the suffix's letters, a sign, digits; nothing else */
    const char *suf = s;
    s += strspn(s, "eEinumkKMGTP");
    s += *s == '+' || *s == '-';
    s += strspn(s, "0123456789");
    if (*s)
        return -EINVAL;
    return interpret_suffix(suf, q);
}

/* Whether ParseQuantity keeps the text as the quantity's string (its fast path). */
static bool kept_as_written(const struct quantity_text *q)
{
    size_t nd = strlen(q->num) + strlen(q->denom);
    int precision, scale = 0;
    unsigned __int128 mantissa = 1;
    if (q->format != QF_BINARY_SI) {
        scale = q->exponent;
        precision = 18 - (int) nd;
    } else if (q->exponent >= 0 && !q->denom[0]) {
        mantissa <<= q->exponent;
        precision = 15 - (int) strlen(q->num) - (int) ((float) q->exponent * 3 / 10) - 1;
    } else {
        precision = -1;
    }
    if (precision < 0)
        return false;
    scale -= (int) strlen(q->denom);
    if (scale < -9)
        return false;
    char shifted[130];
    snprintf(shifted, sizeof(shifted), "%s%s", q->num, q->denom);
    unsigned __int128 value = 0;
    for (const char *p = shifted; *p; p++)
        value = value * 10 + (unsigned) (*p - '0');
    if (value > INT64_MAX || value * mantissa > INT64_MAX)
        return false;
    if (q->format == QF_BINARY_SI)
        return q->exponent % 10 == 0 && (value & 7) != 0;
    size_t n = strlen(shifted);
    return scale % 3 == 0 && !(n >= 3 && !strcmp(shifted + n - 3, "000")) && shifted[0] != '0';
}

#define NANO 1000000000ULL
#define Q_CAP ((unsigned __int128) 1 << 120)

/* The value in nano units, rounded up (magnitude). */
static int quantity_nano(const struct quantity_text *q, unsigned __int128 *ret)
{
    unsigned __int128 v = 0;
    char digits[130];
    snprintf(digits, sizeof(digits), "%s%s", q->num, q->denom);
    for (const char *p = digits; *p; p++) {
        v = v * 10 + (unsigned) (*p - '0');
        if (v > Q_CAP)
            return -ERANGE;
    }
    int e10 = 9 - (int) strlen(q->denom) + (q->base == 10 ? q->exponent : 0);
    for (int e2 = q->base == 2 ? q->exponent : 0; e2 > 0; e2--)
        if ((v <<= 1) > Q_CAP)
            return -ERANGE;
    for (; e10 > 0; e10--)
        if ((v *= 10) > Q_CAP)
            return -ERANGE;
    for (; e10 < 0; e10++)
        v = v / 10 + (v % 10 != 0);
    *ret = v;
    return 0;
}

static void u128_append(char *buf, size_t size, unsigned __int128 v)
{
    char digits[48];
    size_t n = 0;
    do {
        digits[n++] = (char) ('0' + (int) (v % 10));
        v /= 10;
    } while (v);
    size_t len = strlen(buf);
    while (n && len + 1 < size)
        buf[len++] = digits[--n];
    buf[len] = '\0';
}

static char *canonical_binary(bool neg, unsigned __int128 units)
{
    static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    if (units > INT64_MAX)
        units = INT64_MAX; /* Kubernetes' cap */
    int exp = 0;
    while (exp < 6 && units >= 1024 && units % 1024 == 0) {
        units /= 1024;
        exp++;
    }
    char buf[64] = "";
    strcat(buf, neg ? "-" : "");
    u128_append(buf, sizeof(buf), units);
    return xasprintf("%s%s", buf, bin[exp]);
}

static char *canonical_decimal(bool neg, unsigned __int128 m, enum quantity_format f)
{
    static const char *const dec[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    int exp = -9;
    while (m >= 10 && m % 10 == 0) {
        m /= 10;
        exp++;
    }
    while (exp % 3 != 0) {
        m *= 10;
        exp--;
    }
    char buf[64] = "";
    strcat(buf, neg ? "-" : "");
    u128_append(buf, sizeof(buf), m);
    if (f == QF_DECIMAL_EXPONENT)
        return exp ? xasprintf("%se%d", buf, exp) : xstrdup(buf);
    return xasprintf("%s%s", buf, exp >= -9 && exp <= 18 ? dec[(exp + 9) / 3] : "");
}

int quantity_canonical(const char *s, char **ret)
{
    struct quantity_text q;
    if (!s || !*s)
        return -EINVAL;
    if (!strcmp(s, "0")) {
        *ret = xstrdup("0");
        return 0;
    }
    int r = quantity_scan(s, &q);
    if (r < 0)
        return r;
    if (kept_as_written(&q)) {
        *ret = xstrdup(s);
        return 0;
    }
    unsigned __int128 nano;
    if ((r = quantity_nano(&q, &nano)) < 0)
        return r;
    if (nano == 0) {
        *ret = xstrdup("0");
        return 0;
    }
    enum quantity_format f = q.format;
    if (f == QF_BINARY_SI && (nano < 1024 * (unsigned __int128) NANO || nano % NANO))
        f = QF_DECIMAL_SI; /* below 1024 or fractional: decimal, losing nothing */
    *ret = f == QF_BINARY_SI ? canonical_binary(q.neg, nano / NANO)
                             : canonical_decimal(q.neg, nano, f);
    return 0;
}
