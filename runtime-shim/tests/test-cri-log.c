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
    free(out), out = NULL, len = 0;
    cri_feed(&st, "a\r\n", 3, T0, &out, &len);
    tap_is_str(out, "2023-11-14T22:13:20.000000000Z stdout F a\r\n",
               "a pipe's \\r is the program's: kept");
    free(out), out = NULL, len = 0;

    /* a terminal's stream: ONLCR made each \n a \r\n */
    struct cri_stream tty = {.name = "stdout", .fd = -1, .crlf = true};
    cri_feed(&tty, "/dev/pts/0\r\nhi\r", 15, T0, &out, &len);
    tap_is_str(out, "2023-11-14T22:13:20.000000000Z stdout F /dev/pts/0\n",
               "a terminal's line ends before its \\r\\n");
    free(out), out = NULL, len = 0;
    cri_feed(&tty, "\n\r\n", 3, T0, &out, &len);
    tap_is_str(out,
               "2023-11-14T22:13:20.000000000Z stdout F hi\n"
               "2023-11-14T22:13:20.000000000Z stdout F \n",
               "a \\r\\n split between reads; an empty line");
    free(out), out = NULL, len = 0;
    cri_feed(&tty, "a\rb\r\n", 5, T0, &out, &len);
    tap_is_str(out, "2023-11-14T22:13:20.000000000Z stdout F a\rb\n", "a \\r inside a line stays");
    free(out), out = NULL, len = 0;
    memset(big, 'x', CRI_MAX_LINE + 10);
    big[CRI_MAX_LINE - 1] = '\r';
    big[CRI_MAX_LINE] = '\n';
    cri_feed(&tty, big, CRI_MAX_LINE + 1, T0, &out, &len);
    char *want = xmalloc(CRI_MAX_LINE + 128);
    strcpy(want, "2023-11-14T22:13:20.000000000Z stdout P ");
    memset(want + strlen(want), 'x', CRI_MAX_LINE - 1);
    strcpy(want + strlen("2023-11-14T22:13:20.000000000Z stdout P ") + CRI_MAX_LINE - 1,
           "\n2023-11-14T22:13:20.000000000Z stdout F \n");
    tap_is_str(out, want, "a \\r\\n at the line limit is not cut in two");
    free(want);
    tap_is_int(tty.len, 0, "nothing left");
    free(out);
    free(tty.partial);
    free(big);
    free(st.partial);
    return tap_done();
}
