/* SPDX-License-Identifier: Apache-2.0 */
#include "base64.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int sextet(unsigned char c)
{
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

int orc_base64_decode(const char *s, char **ret, size_t *ret_len)
{
    size_t n = strlen(s);
    if (n % 4)
        return -EINVAL;
    char *out = xmalloc(n / 4 * 3 + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i += 4) {
        bool last = i + 4 == n;
        bool pad2 = last && s[i + 2] == '=', pad3 = last && s[i + 3] == '=';
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = (k == 2 && pad2) || (k == 3 && pad3) ? 0 : sextet((unsigned char) s[i + k]);
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || (pad2 && !pad3)) {
            free(out);
            return -EINVAL;
        }
        unsigned bits = (unsigned) (v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        out[len++] = (char) (bits >> 16);
        if (!pad2)
            out[len++] = (char) (bits >> 8 & 0xff);
        if (!pad3)
            out[len++] = (char) (bits & 0xff);
    }
    out[len] = '\0';
    *ret = out;
    *ret_len = len;
    return 0;
}
