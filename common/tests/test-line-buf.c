/* SPDX-License-Identifier: Apache-2.0 */
/* orc_line_buf: reading newline-delimited messages in pieces, taking lines out. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "json-util.h"
#include "line-buf.h"
#include "tap.h"
#include "xalloc.h"

static char *line_at(const struct orc_line_buf *b, size_t *pos)
{
    const char *l;
    size_t n;
    return orc_line_buf_next(b, pos, &l, &n) ? xstrndup(l, n) : NULL;
}

static void test_pieces(void)
{
    int sv[2];
    tap_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0,
           "socketpair");
    struct orc_line_buf b = {0};
    tap_is_int(orc_line_buf_read(&b, sv[0], 1024), -EAGAIN, "nothing to read: -EAGAIN");

    /* a line split over two reads, then two lines in one */
    tap_ok(write(sv[1], "{\"id\":1", 7) == 7, "write half a line");
    tap_is_int(orc_line_buf_read(&b, sv[0], 1024), 7, "read it");
    size_t pos = 0;
    tap_ok(line_at(&b, &pos) == NULL && pos == 0, "no complete line yet");
    tap_ok(write(sv[1], "}\n\n{\"id\":2}\n{\"id\"", 17) == 17, "write the rest and more");
    tap_is_int(orc_line_buf_read(&b, sv[0], 1024), 17, "read it");
    _cleanup_free_ char *l1 = line_at(&b, &pos);
    tap_is_str(l1, "{\"id\":1}", "first line, without its newline");
    _cleanup_free_ char *l2 = line_at(&b, &pos);
    tap_is_str(l2, "", "an empty line");
    size_t third = pos;
    _cleanup_free_ char *l3 = line_at(&b, &pos);
    tap_is_str(l3, "{\"id\":2}", "third line");
    tap_ok(line_at(&b, &pos) == NULL, "the partial line stays");

    /* take a line out of the middle: the others keep their order */
    orc_line_buf_drop(&b, third, pos - third);
    pos = 0;
    free(line_at(&b, &pos));
    free(line_at(&b, &pos));
    tap_ok(line_at(&b, &pos) == NULL, "the middle line is gone");
    tap_is_str(b.data + pos, "{\"id\"", "the partial line follows");
    orc_line_buf_drop(&b, 0, pos);
    tap_is_str(b.data, "{\"id\"", "handled lines dropped from the front");
    tap_is_int(b.len, 5, "length");

    close(sv[1]);
    tap_is_int(orc_line_buf_read(&b, sv[0], 1024), 0, "end of file");
    close(sv[0]);
    orc_line_buf_done(&b);
    tap_ok(b.data == NULL && b.len == 0, "done empties");
}

static void test_max(void)
{
    int p[2];
    tap_ok(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0, "pipe");
    char big[100];
    memset(big, 'x', sizeof(big));
    tap_ok(write(p[1], big, sizeof(big)) == (ssize_t) sizeof(big), "write 100 bytes");
    struct orc_line_buf b = {0};
    tap_is_int(orc_line_buf_read(&b, p[0], 64), 64, "reads no more than max");
    tap_is_int(orc_line_buf_read(&b, p[0], 64), -EMSGSIZE, "full: -EMSGSIZE");
    tap_is_int(b.len, 64, "nothing more taken");
    orc_line_buf_done(&b);
    close(p[0]);
    close(p[1]);
    tap_is_int(orc_line_buf_read(&b, p[0], 64), -EBADF, "errors are -errno");
    orc_line_buf_done(&b);
}

/* A line longer than the first allocation: the buffer grows until the line is whole. */
static void test_grow(void)
{
    int sv[2];
    tap_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0,
           "socketpair");
    size_t n = 100000;
    _cleanup_free_ char *text = xmalloc(n + 1);
    memset(text, 'y', n);
    text[n - 1] = '\n';
    struct orc_line_buf b = {0};
    size_t sent = 0, pos = 0;
    const char *line = NULL;
    size_t len = 0;
    bool whole = false;
    while (!whole) {
        if (sent < n) {
            ssize_t w = write(sv[1], text + sent, n - sent);
            sent += w > 0 ? (size_t) w : 0;
        }
        ssize_t r = orc_line_buf_read(&b, sv[0], 1 << 20);
        if (r < 0 && r != -EAGAIN)
            break;
        whole = orc_line_buf_next(&b, &pos, &line, &len);
    }
    tap_ok(whole, "a 100 kB line arrives whole");
    tap_is_int(len, n - 1, "its length");
    orc_line_buf_done(&b);
    close(sv[0]);
    close(sv[1]);
}

/* orc_json_send_line: one compact line per message, readable by the line buffer. */
static void test_send_line(void)
{
    int sv[2];
    tap_is_int(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0, "socketpair");
    json_t *a = json_pack("{s:i,s:s}", "id", 1, "op", "hello");
    json_t *b = json_pack("{s:s}", "event", "line\nbreak");
    tap_is_int(orc_json_send_line(sv[0], a), 0, "first message sent");
    tap_is_int(orc_json_send_line(sv[0], b), 0, "second message sent");
    struct orc_line_buf buf = {0};
    tap_ok(orc_line_buf_read(&buf, sv[1], 4096) > 0, "read");
    size_t pos = 0, len = 0;
    const char *line = NULL;
    int lines = 0;
    while (orc_line_buf_next(&buf, &pos, &line, &len)) {
        json_t *j = json_loadb(line, len, 0, NULL);
        tap_ok(json_equal(j, lines == 0 ? a : b), "line %d is message %d", lines, lines);
        json_decref(j);
        lines++;
    }
    tap_is_int(lines, 2, "two lines: a newline inside a string stays escaped");
    close(sv[1]);
    tap_is_int(orc_json_send_line(sv[0], a), -EPIPE, "a closed peer is EPIPE, not SIGPIPE");
    close(sv[0]);
    orc_line_buf_done(&buf);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    test_pieces();
    test_max();
    test_grow();
    test_send_line();
    return tap_done();
}
