/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "shim.h"
#include "tap.h"
#include "xalloc.h"

#define T0 (1700000000LL * 1000000000LL)

int main(void)
{
    struct cri_stream st = {.name = "stdout", .fd = -1};
    char *out = NULL;
    size_t len = 0;
    cri_feed(&st, "hello\nwor", 9, T0, &out, &len);
    tap_is_str(out, "2023-11-14T22:13:20.000000000Z stdout F hello\n", "a full line is F");
    tap_is_int(st.len, 3, "the tail waits");
    free(out), out = NULL, len = 0;
    cri_feed(&st, "ld\n\n", 4, T0, &out, &len);
    tap_is_str(out,
               "2023-11-14T22:13:20.000000000Z stdout F world\n"
               "2023-11-14T22:13:20.000000000Z stdout F \n",
               "the tail joins the next chunk; empty lines kept");
    free(out), out = NULL, len = 0;
    char *big = xmalloc(CRI_MAX_LINE + 10);
    memset(big, 'x', CRI_MAX_LINE + 10);
    cri_feed(&st, big, CRI_MAX_LINE + 10, T0, &out, &len);
    tap_ok(out && strstr(out, " stdout P xxx") != NULL, "an over-long line is split as P");
    tap_is_int(st.len, 10, "its rest waits");
    free(out), out = NULL, len = 0;
    cri_flush(&st, T0, &out, &len);
    tap_ok(out && strstr(out, " stdout F xxxxxxxxxx\n") != NULL, "flush ends with F");
    tap_is_int(st.len, 0, "nothing left");
    free(out);
    free(big);
    free(st.partial);
    return tap_done();
}
