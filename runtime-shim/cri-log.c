/* SPDX-License-Identifier: Apache-2.0 */
/* The CRI log format: "<RFC3339Nano> <stream> <P|F> <text>\n", P for a partial line. A
 * terminal's stream ends its lines with "\r\n" (the tty's ONLCR): the \r is left out of the
 * line, as containerd's CRI logger leaves it out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"
#include "time-util.h"
#include "xalloc.h"

static void emit(char **out, size_t *out_len, const char *ts, const char *stream, char tag,
                 const char *text, size_t len)
{
    size_t need = strlen(ts) + strlen(stream) + len + 8;
    *out = xrealloc(*out, *out_len + need + 1);
    int n = snprintf(*out + *out_len, need + 1, "%s %s %c ", ts, stream, tag);
    memcpy(*out + *out_len + n, text, len);
    (*out)[*out_len + n + len] = '\n';
    *out_len += (size_t) n + len + 1;
    (*out)[*out_len] = '\0';
}

void cri_feed(struct cri_stream *st, const char *data, size_t len, int64_t now_ns, char **out,
              size_t *out_len)
{
    char ts[64];
    orc_time_format_rfc3339(now_ns, true, ts, sizeof(ts));
    st->partial = xrealloc(st->partial, st->len + len + 1);
    memcpy(st->partial + st->len, data, len);
    st->len += len;
    size_t start = 0;
    for (size_t i = 0; i < st->len; i++) {
        if (st->partial[i] == '\n') {
            size_t end = st->crlf && i > start && st->partial[i - 1] == '\r' ? i - 1 : i;
            emit(out, out_len, ts, st->name, 'F', st->partial + start, end - start);
            start = i + 1;
        } else if (i + 1 - start >= CRI_MAX_LINE) {
            /* a terminal's "\r\n" is not cut in two: its \r waits for the next line */
            size_t end = st->crlf && st->partial[i] == '\r' ? i : i + 1;
            emit(out, out_len, ts, st->name, 'P', st->partial + start, end - start);
            start = end;
        }
    }
    memmove(st->partial, st->partial + start, st->len - start);
    st->len -= start;
}

void cri_flush(struct cri_stream *st, int64_t now_ns, char **out, size_t *out_len)
{
    if (st->len == 0)
        return;
    char ts[64];
    orc_time_format_rfc3339(now_ns, true, ts, sizeof(ts));
    emit(out, out_len, ts, st->name, 'F', st->partial, st->len);
    st->len = 0;
}
