/* SPDX-License-Identifier: Apache-2.0 */
#include "termination-message.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "text-buf.h"
#include "xalloc.h"

/* The text of one CRI record (its line without the newline): "<time> <stream> <tag> <text>",
 * an F record's text with the newline it stood for. false when it is no record (kubelet
 * logs and skips such a line). */
static bool record_text(const char *line, size_t len, bool has_newline, struct text_buf *out)
{
    const char *p = line, *end = line + len;
    const char *sp = memchr(p, ' ', (size_t) (end - p)); /* after the time */
    if (!sp || sp == p)
        return false;
    p = sp + 1;
    sp = memchr(p, ' ', (size_t) (end - p)); /* after the stream */
    if (!sp ||
        !((sp - p == 6 && !memcmp(p, "stdout", 6)) || (sp - p == 6 && !memcmp(p, "stderr", 6))))
        return false;
    p = sp + 1;
    sp = memchr(p, ' ', (size_t) (end - p)); /* after the tag: "P", "F", or "P:..." */
    if (!sp)
        return false;
    bool partial = *p == 'P' && (sp - p == 1 || p[1] == ':');
    text_buf_add(out, sp + 1, (size_t) (end - sp - 1));
    if (has_newline && !partial)
        text_buf_add(out, "\n", 1);
    return true;
}

/* Where the last n newline-ended lines of buf[start, end) begin (end is just after a newline
 * or start). */
static size_t last_lines_start(const char *buf, size_t start, size_t end, int n)
{
    size_t p = end;
    for (int i = 0; i < n && p > start; i++) {
        p--; /* the newline that ends this line */
        while (p > start && buf[p - 1] != '\n')
            p--;
    }
    return p;
}

char *tmsg_log_tail(const char *buf, size_t len, bool whole, size_t *ret_len)
{
    size_t start = 0;
    if (!whole) { /* the first line is cut: its record begins before the window */
        const char *nl = memchr(buf, '\n', len);
        start = nl ? (size_t) (nl - buf) + 1 : len;
    }
    size_t complete = len; /* just after the last newline */
    while (complete > start && buf[complete - 1] != '\n')
        complete--;
    size_t p = last_lines_start(buf, start, complete, TMSG_LOG_LINES);
    struct text_buf text = {0};
    while (p < len) {
        const char *nl = memchr(buf + p, '\n', len - p);
        size_t line_end = nl ? (size_t) (nl - buf) : len;
        (void) record_text(buf + p, line_end - p, nl != NULL, &text);
        p = nl ? line_end + 1 : len;
    }
    size_t n = 0;
    char *all = text_buf_steal(&text, &n);
    if (n > TMSG_LOG_MAX) { /* its last bytes, as kubelet's ring buffer keeps them */
        memmove(all, all + n - TMSG_LOG_MAX, TMSG_LOG_MAX);
        n = TMSG_LOG_MAX;
        all[n] = '\0';
    }
    *ret_len = n;
    return all;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when there is none:
 * no overlong forms, surrogates or code points above U+10FFFF, as Go decodes runes. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    if (!len || len > n)
        return 0;
    unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

char *tmsg_compose(const char *prefix, const char *text, size_t len, size_t max)
{
    if (!len)
        return NULL;
    struct text_buf raw = {0};
    if (prefix && *prefix) {
        text_buf_puts(&raw, prefix);
        text_buf_puts(&raw, ": ");
    }
    text_buf_add(&raw, text, len);
    size_t n = 0;
    _cleanup_free_ char *all = text_buf_steal(&raw, &n);
    if (max && n > max)
        n = max;
    struct text_buf out = {0};
    const unsigned char *s = (const unsigned char *) all;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_sequence(s + i, n - i);
        if (k == 0)
            text_buf_add(&out, "\xef\xbf\xbd", 3); /* U+FFFD for the one byte */
        else if (s[i] != '\0')
            text_buf_add(&out, all + i, k);
        i += k ? k : 1;
    }
    size_t out_len = 0;
    char *msg = text_buf_steal(&out, &out_len);
    if (out_len == 0)
        msg = (free(msg), NULL);
    return msg;
}

/* At most the last max bytes of the regular file at path, and whether they begin at its start;
 * -errno. */
static int read_end(const char *path, size_t max, char **ret, size_t *ret_len, bool *ret_whole)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    off_t off = st.st_size > (off_t) max ? st.st_size - (off_t) max : 0;
    char *buf = xmalloc(max + 1);
    size_t n = 0;
    while (n < max) {
        ssize_t r = pread(fd, buf + n, max - n, off + (off_t) n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            return -e;
        }
        if (r == 0)
            break;
        n += (size_t) r;
    }
    buf[n] = '\0';
    *ret = buf;
    *ret_len = n;
    if (ret_whole)
        *ret_whole = off == 0;
    return 0;
}

char *tmsg_read(const char *file, bool fallback, const char *log_path, size_t *ret_len)
{
    char *msg = NULL;
    size_t len = 0;
    bool check_logs = fallback;
    if (file) {
        int r = read_end(file, TMSG_FILE_MAX, &msg, &len, NULL);
        if (r < 0 && r != -ENOENT) {
            msg = xasprintf("Error on reading termination log %s: %s", file, strerror(-r));
            *ret_len = strlen(msg);
            return msg;
        }
        check_logs = fallback && len == 0;
    }
    if (check_logs && log_path) {
        _cleanup_free_ char *log = NULL;
        size_t log_len = 0;
        bool whole = false;
        free(msg);
        int r = read_end(log_path, TMSG_LOG_WINDOW, &log, &log_len, &whole);
        if (r < 0) {
            msg = xasprintf("Error on reading termination message from logs: failed to open "
                            "log file \"%s\": %s",
                            log_path, strerror(-r));
            len = strlen(msg);
        } else {
            msg = tmsg_log_tail(log, log_len, whole, &len);
        }
    }
    *ret_len = msg ? len : 0;
    return msg;
}
