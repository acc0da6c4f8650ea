/* SPDX-License-Identifier: Apache-2.0 */
/* CRI log files read in chunks, the tail found from the end (see log-reader.h). */
#include "api/log-reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "time-util.h"
#include "xalloc.h"

#define RAW_CAPACITY (LOG_READER_MAX_RECORD + LOG_READER_CHUNK)

/* How records become text: which are shown, and with what. */
struct cri_state {
    int64_t since_ns; /* records before this time are skipped (0: none) */
    bool timestamps;  /* a line begins with its first record's time */
    bool line_start;  /* the next record begins a line (the last one shown ended one) */
};

struct log_reader {
    int fd;
    char *raw; /* read, not yet converted: the start of a record */
    size_t raw_len;
    bool dropping; /* in a record longer than LOG_READER_MAX_RECORD: skipped to its '\n' */
    char *text;    /* converted, not yet handed out (as large as raw: never grown) */
    size_t text_len, text_off;
    struct cri_state state;
};

/* The record's time, or -1 when it is not one (t: the text before the first space). */
static int64_t record_time(const char *t, size_t len)
{
    char buf[64];
    int64_t ns;
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, t, len);
    buf[len] = '\0';
    return orc_time_parse_rfc3339(buf, &ns) < 0 ? -1 : ns;
}

/* The time as kubelet prints it (Go's RFC3339Nano: trailing zeros of the fraction dropped),
 * and a space, to out; never longer than the time as written. */
static size_t time_prefix(const char *t, size_t len, char *out)
{
    const char *dot = memchr(t, '.', len);
    size_t zone = len; /* the fraction ends where the zone ("Z", "+02:00") begins */
    if (dot)
        for (zone = (size_t) (dot - t) + 1; zone < len && t[zone] >= '0' && t[zone] <= '9';)
            zone++;
    size_t end = zone;
    while (dot && end > (size_t) (dot - t) + 1 && t[end - 1] == '0')
        end--;
    if (dot && end == (size_t) (dot - t) + 1)
        end--; /* no fraction left: no dot */
    size_t n = 0;
    memcpy(out, t, end), n += end;
    memcpy(out + n, t + zone, len - zone), n += len - zone;
    out[n++] = ' ';
    return n;
}

/* The text of the whole records of in, written to out (room for len + 1 bytes: a record's
 * text, its time and '\n' are never longer than the record); *ret_used: the bytes consumed. */
static size_t cri_convert(struct cri_state *s, const char *in, size_t len, char *out,
                          size_t *ret_used)
{
    size_t used = 0, n_out = 0;
    while (used < len) {
        const char *line = in + used;
        const char *nl = memchr(line, '\n', len - used);
        if (!nl)
            break;
        used = (size_t) (nl - in) + 1;
        const char *sp1 = memchr(line, ' ', (size_t) (nl - line));
        const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t) (nl - sp1 - 1)) : NULL;
        if (!sp2 || sp2 + 2 > nl || (sp2[1] != 'P' && sp2[1] != 'F') ||
            (sp2 + 2 < nl && sp2[2] != ' '))
            continue; /* not a CRI record */
        if (s->since_ns && record_time(line, (size_t) (sp1 - line)) < s->since_ns)
            continue; /* before ?sinceTime or ?sinceSeconds, as kubelet skips it */
        if (s->timestamps && s->line_start)
            n_out += time_prefix(line, (size_t) (sp1 - line), out + n_out);
        const char *text = sp2 + 2 < nl ? sp2 + 3 : nl;
        memcpy(out + n_out, text, (size_t) (nl - text));
        n_out += (size_t) (nl - text);
        s->line_start = sp2[1] == 'F';
        if (sp2[1] == 'F')
            out[n_out++] = '\n';
    }
    *ret_used = used;
    return n_out;
}

size_t cri_to_text(const char *in, size_t len, char **out, size_t *out_len)
{
    size_t used;
    struct cri_state s = {.line_start = true};
    *out = xrealloc(*out, *out_len + len + 2);
    *out_len += cri_convert(&s, in, len, *out + *out_len, &used);
    (*out)[*out_len] = '\0';
    return used;
}

void log_reader_set_options(struct log_reader *r, int64_t since_ns, bool timestamps)
{
    r->state.since_ns = since_ns;
    r->state.timestamps = timestamps;
}

struct log_reader *log_reader_new(int fd, off_t offset)
{
    struct log_reader *r = xzalloc(sizeof(*r));
    r->fd = fd;
    r->state.line_start = true;
    r->raw = xmalloc(RAW_CAPACITY);
    r->text = xmalloc(RAW_CAPACITY + 1);
    (void) lseek(fd, offset, SEEK_SET);
    return r;
}

struct log_reader *log_reader_free(struct log_reader *r)
{
    if (!r)
        return NULL;
    safe_close(r->fd);
    free(r->raw);
    free(r->text);
    free(r);
    return NULL;
}

int log_reader_fd(const struct log_reader *r)
{
    return r->fd;
}

void log_reader_switch(struct log_reader *r, int fd)
{
    safe_close(r->fd);
    r->fd = fd;
    r->raw_len = 0;
    r->dropping = false;
}

/* Drops the start of an over-long record; true when its end was in the buffer. */
static bool drop_long_record(struct log_reader *r)
{
    char *nl = memchr(r->raw, '\n', r->raw_len);
    if (!nl) {
        r->raw_len = 0;
        return false;
    }
    size_t rest = r->raw_len - (size_t) (nl + 1 - r->raw);
    memmove(r->raw, nl + 1, rest);
    r->raw_len = rest;
    r->dropping = false;
    return true;
}

/* One read() into raw, and the whole records converted: > 0, 0 at the end, or -errno. */
static ssize_t fill(struct log_reader *r)
{
    size_t room = RAW_CAPACITY - r->raw_len;
    ssize_t n;
    do
        n = read(r->fd, r->raw + r->raw_len, room < LOG_READER_CHUNK ? room : LOG_READER_CHUNK);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n < 0 ? -errno : 0;
    r->raw_len += (size_t) n;
    if (r->dropping && !drop_long_record(r))
        return n;
    size_t used;
    r->text_len += cri_convert(&r->state, r->raw, r->raw_len, r->text + r->text_len, &used);
    memmove(r->raw, r->raw + used, r->raw_len - used);
    r->raw_len -= used;
    if (r->raw_len > LOG_READER_MAX_RECORD) { /* no shim writes that: not a log record */
        r->raw_len = 0;
        r->dropping = true;
    }
    return n;
}

ssize_t log_reader_read(struct log_reader *r, char *out, size_t max)
{
    while (r->text_off == r->text_len) {
        r->text_off = r->text_len = 0;
        ssize_t n = fill(r);
        if (n <= 0)
            return n;
    }
    size_t k = r->text_len - r->text_off < max ? r->text_len - r->text_off : max;
    memcpy(out, r->text + r->text_off, k);
    r->text_off += k;
    return (ssize_t) k;
}

/* 'P' or 'F' for the record at [start, end), 0 for a line that is not a CRI record. */
static int record_tag(int fd, off_t start, off_t end)
{
    char head[96];
    size_t want = end - start < (off_t) sizeof(head) ? (size_t) (end - start) : sizeof(head);
    ssize_t n = pread(fd, head, want, start);
    if (n <= 0)
        return 0;
    const char *sp1 = memchr(head, ' ', (size_t) n);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t) (head + n - sp1 - 1)) : NULL;
    if (!sp2 || sp2 + 1 >= head + n)
        return 0;
    return sp2[1] == 'P' || sp2[1] == 'F' ? sp2[1] : 0;
}

/* Counts the record [start, end) into *lines, going backwards; true when n lines were
 * complete before it, so that they begin at end. */
static bool count_record(int fd, off_t start, off_t end, long n, long *lines)
{
    int tag = record_tag(fd, start, end);
    if (tag == 'F') {
        if (*lines == n)
            return true;
        (*lines)++;
    } else if (tag == 'P' && *lines == 0) {
        *lines = 1; /* the unfinished last line */
    }
    return false;
}

int log_tail_offset(int fd, long n, off_t *ret)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (n == 0) {
        *ret = st.st_size;
        return 0;
    }
    _cleanup_free_ char *buf = xmalloc(LOG_READER_CHUNK); /* API threads have small stacks */
    off_t pos = st.st_size, end = -1; /* end: just past the '\n' of the record being found */
    long lines = 0;
    while (pos > 0) {
        size_t len = pos < (off_t) LOG_READER_CHUNK ? (size_t) pos : LOG_READER_CHUNK;
        off_t base = pos - (off_t) len;
        ssize_t got = pread(fd, buf, len, base);
        if (got < 0)
            return -errno;
        if (got != (ssize_t) len)
            return -EIO; /* truncated meanwhile */
        for (size_t i = len; i > 0; i--) {
            if (buf[i - 1] != '\n')
                continue;
            off_t nl = base + (off_t) i - 1;
            if (end > nl + 1 && count_record(fd, nl + 1, end, n, &lines)) {
                *ret = end;
                return 0;
            }
            end = nl + 1;
        }
        pos = base;
    }
    *ret = end > 0 && count_record(fd, 0, end, n, &lines) ? end : 0;
    return 0;
}
