/* SPDX-License-Identifier: Apache-2.0 */
/* Standard base64 (RFC 4648 section 4, padded), read as Go's encoding/base64 reads it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "objects.h"
#include "xalloc.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int sextet(unsigned char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int) (p - alphabet) : -1;
}

/* The next byte that is not CR or LF, from *i on; -1 at the end. */
static int next_char(const char *s, size_t len, size_t *i)
{
    while (*i < len && (s[*i] == '\r' || s[*i] == '\n'))
        (*i)++;
    return *i < len ? (unsigned char) s[*i] : -1;
}

/* One quantum of four characters (padding only at the end); 0 more to come, 1 the end,
 * -1 a bad byte at *bad. */
static int quantum(const char *s, size_t len, size_t *i, unsigned char *out, size_t *n, size_t *bad)
{
    int v[4];
    size_t k = 0, pad = 0, start = 0;
    for (; k < 4; k++) {
        int c = next_char(s, len, i);
        if (k == 0)
            start = *i;
        if (c < 0) {
            *bad = k == 0 ? len : start; /* a quantum cut short: Go names where it began */
            return k == 0 ? 1 : -1;
        }
        if (c == '=' && k >= 2) {
            pad = 4 - k;
            if (pad == 2) {
                (*i)++;
                int c2 = next_char(s, len, i);
                if (c2 != '=') {
                    *bad = c2 < 0 ? len : *i - 1;
                    return -1;
                }
            }
            (*i)++;
            break;
        }
        v[k] = sextet((unsigned char) c);
        if (v[k] < 0) {
            *bad = *i;
            return -1;
        }
        (*i)++;
    }
    uint32_t w = 0;
    for (size_t j = 0; j < 4 - pad; j++)
        w |= (uint32_t) v[j] << (18 - 6 * j);
    out[(*n)++] = (unsigned char) (w >> 16);
    if (pad < 2)
        out[(*n)++] = (unsigned char) (w >> 8);
    if (pad < 1)
        out[(*n)++] = (unsigned char) w;
    if (pad && next_char(s, len, i) >= 0) { /* data after the padding */
        *bad = *i;
        return -1;
    }
    return pad ? 1 : 0;
}

int manifest_base64_decode(const char *s, size_t len, char **ret, size_t *ret_len, size_t *ret_bad)
{
    unsigned char *out = xmalloc(len / 4 * 3 + 4);
    size_t i = 0, n = 0, bad = 0;
    int r;
    while ((r = quantum(s, len, &i, out, &n, &bad)) == 0)
        ;
    if (r < 0) {
        free(out);
        if (ret_bad)
            *ret_bad = bad;
        return -EINVAL;
    }
    out[n] = '\0';
    if (ret) {
        *ret = (char *) out;
        if (ret_len)
            *ret_len = n;
    } else {
        free(out);
    }
    return 0;
}

char *manifest_base64_encode(const void *data, size_t len)
{
    const unsigned char *p = data;
    char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t w = (uint32_t) p[i] << 16;
        if (i + 1 < len)
            w |= (uint32_t) p[i + 1] << 8;
        if (i + 2 < len)
            w |= p[i + 2];
        *o++ = alphabet[(w >> 18) & 63];
        *o++ = alphabet[(w >> 12) & 63];
        *o++ = i + 1 < len ? alphabet[(w >> 6) & 63] : '=';
        *o++ = i + 2 < len ? alphabet[w & 63] : '=';
    }
    *o = '\0';
    return out;
}
