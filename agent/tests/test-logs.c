/* SPDX-License-Identifier: Apache-2.0 */
/* CRI log files read as kubelet serves them: partial lines, chunk boundaries, the tail
 * found from the end, over-long records, and memory that stays bounded for a huge file. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/log-reader.h"
#include "cleanup.h"
#include "fd-util.h"
#include "tap.h"
#include "time-util.h"
#include "xalloc.h"

static char tmp_dir[] = "/tmp/test-logs-XXXXXX";

/* A new file holding data; returns its fd, opened for reading. */
static int file_with(const char *name, const char *data, size_t len)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmp_dir, name);
    _cleanup_close_ int w = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w < 0 || orc_write_all(w, data, len) < 0)
        abort();
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* Everything a reader gives, max bytes at a time. */
static char *read_all(struct log_reader *r, size_t max, size_t *ret_len)
{
    size_t cap = 4096, len = 0;
    char *out = xmalloc(cap), *chunk = xmalloc(max);
    ssize_t n;
    while ((n = log_reader_read(r, chunk, max)) > 0) {
        if (len + (size_t) n + 1 > cap)
            out = xrealloc(out, cap = 2 * (len + (size_t) n + 1));
        memcpy(out + len, chunk, (size_t) n);
        len += (size_t) n;
    }
    out[len] = '\0';
    free(chunk);
    *ret_len = len;
    return out;
}

static char *read_file_text(int fd, long tail, size_t max)
{
    off_t off = 0;
    if (tail >= 0 && log_tail_offset(fd, tail, &off) < 0)
        return xstrdup("<tail failed>");
    struct log_reader *r = log_reader_new(dup(fd), off);
    size_t len;
    char *text = read_all(r, max, &len);
    log_reader_free(r);
    return text;
}

/* The last n lines of a text (a last line without '\n' counts), as `tail -n` shows them. */
static const char *tail_of(const char *text, long n)
{
    const char *p = text + strlen(text);
    if (p > text && p[-1] == '\n')
        p--;
    while (p > text && n > 0)
        if (*--p == '\n')
            n--;
    return n == 0 ? p + 1 : text;
}

static void test_cri_to_text(void)
{
    const char *in = "2024-01-01T00:00:00.000000001Z stdout F one\n"
                     "2024-01-01T00:00:00.000000002Z stderr P tw\n"
                     "not a record\n"
                     "2024-01-01T00:00:00.000000003Z stdout F o\n"
                     "2024-01-01T00:00:00.000000004Z stdout F \n"
                     "2024-01-01T00:00:00.000000005Z stdout F unfinish";
    char *out = NULL;
    size_t len = 0;
    size_t used = cri_to_text(in, strlen(in), &out, &len);
    tap_is_str(out, "one\ntwo\n\n", "P parts joined, other lines skipped, empty lines kept");
    tap_is_int(used, strlen(in) - strlen("2024-01-01T00:00:00.000000005Z stdout F unfinish"),
               "a record without its newline is left unread");
    free(out);
}

/* Records of every length around the chunk size, P and F, read whole, in small pieces and
 * by their tail: all as the text of the whole file says. */
static void test_reader_and_tail(void)
{
    char *log = xstrdup("");
    size_t len = 0;
    srand(7);
    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t) (rand() % 200) + (i % 97 == 0 ? 16000 : 0);
        char *text = xmalloc(n + 1);
        for (size_t k = 0; k < n; k++)
            text[k] = (char) ('a' + (i + k) % 26);
        text[n] = '\0';
        char *rec = xasprintf("2024-01-01T00:00:00.%09dZ stdout %c %s\n", i,
                              rand() % 4 == 0 ? 'P' : 'F', text);
        log = xrealloc(log, len + strlen(rec) + 1);
        strcpy(log + len, rec);
        len += strlen(rec);
        free(rec);
        free(text);
    }
    char *expected = NULL;
    size_t elen = 0;
    cri_to_text(log, len, &expected, &elen);
    _cleanup_close_ int fd = file_with("mixed.log", log, len);
    tap_ok(len > 3 * LOG_READER_CHUNK, "the file spans several chunks (%zu bytes)", len);
    char *whole = read_file_text(fd, -1, 65536), *pieces = read_file_text(fd, -1, 7);
    tap_ok(!strcmp(whole, expected), "read whole: the text of the file");
    tap_ok(!strcmp(pieces, expected), "read 7 bytes at a time: the same");
    free(whole), free(pieces);
    const long tails[] = {0, 1, 2, 3, 10, 500, 2999, 100000};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        char *t = read_file_text(fd, tails[i], 65536);
        tap_ok(!strcmp(t, tail_of(expected, tails[i])), "tail %ld found from the end", tails[i]);
        free(t);
    }
    /* P records at the end: an unfinished line that counts as one */
    const char *unfinished = "t stdout F a\nt stdout F b\nt stdout P c1\nt stdout P c2\n";
    _cleanup_close_ int fd2 = file_with("unfinished.log", unfinished, strlen(unfinished));
    char *t1 = read_file_text(fd2, 1, 100), *t2 = read_file_text(fd2, 2, 100);
    tap_is_str(t1, "c1c2", "tail 1: the unfinished last line");
    tap_is_str(t2, "b\nc1c2", "tail 2: and the one before");
    free(t1), free(t2);
    free(log), free(expected);
}

/* A record longer than any the shim writes is dropped; what follows is read. */
static void test_long_record(void)
{
    size_t n = 3 * LOG_READER_MAX_RECORD;
    char *log = xmalloc(n + 200);
    int k = sprintf(log, "t stdout F before\nt stdout F ");
    memset(log + k, 'x', n);
    k += (int) n;
    k += sprintf(log + k, "\nt stdout F after\n");
    _cleanup_close_ int fd = file_with("long.log", log, (size_t) k);
    char *text = read_file_text(fd, -1, 65536);
    tap_is_str(text, "before\nafter\n", "an over-long record is dropped, the next one read");
    free(text);
    free(log);
}

/* Bytes the process has allocated now (ASan keeps its own books: then 0, and the bound
 * below holds trivially; the plain build checks it). */
static size_t allocated(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Reads fd whole, the peak of allocated memory meanwhile above what it was before. */
static char *read_measured(int fd, size_t *ret_peak)
{
    size_t base = allocated(), peak = 0;
    struct log_reader *r = log_reader_new(dup(fd), 0);
    char chunk[65536], *out = xstrdup("");
    size_t len = 0;
    ssize_t n;
    while ((n = log_reader_read(r, chunk, sizeof(chunk))) > 0) {
        out = xrealloc(out, len + (size_t) n + 1);
        memcpy(out + len, chunk, (size_t) n);
        len += (size_t) n;
        out[len] = '\0';
        size_t now = allocated();
        peak = now > base + peak ? now - base : peak;
    }
    log_reader_free(r);
    *ret_peak = peak;
    return out;
}

/* 300 MiB (a hole, read as NUL bytes without a newline) before the last records: the tail
 * is found at once and a whole read never holds more than a few chunks. */
static void test_huge_file(void)
{
    _cleanup_free_ char *path = xasprintf("%s/huge.log", tmp_dir);
    _cleanup_close_ int w = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const char *head = "t stdout F first\n", *last = "\nt stdout F second\nt stdout F last\n";
    off_t hole = 300 << 20;
    if (w < 0 || orc_write_all(w, head, strlen(head)) < 0 || ftruncate(w, hole) < 0 ||
        lseek(w, 0, SEEK_END) < 0 || orc_write_all(w, last, strlen(last)) < 0)
        abort();
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    int64_t t0 = orc_time_mono_ns();
    char *t = read_file_text(fd, 1, 65536);
    int64_t ms = (orc_time_mono_ns() - t0) / 1000000;
    tap_is_str(t, "last\n", "tail 1 of a 300 MiB file");
    tap_ok(ms < 1000, "found from the end (%lld ms)", (long long) ms);
    free(t);
    size_t peak = 0;
    t = read_measured(fd, &peak);
    tap_is_str(t, "first\nsecond\nlast\n", "the whole file, the hole dropped as no record");
    tap_ok(peak < 2 * (LOG_READER_MAX_RECORD + LOG_READER_CHUNK) + 65536,
           "memory stays bounded: at most %zu bytes allocated while reading 300 MiB", peak);
    free(t);
    (void) unlink(path);
}

/* ?timestamps and ?sinceTime: each line begins with the time of its first record, as
 * kubelet prints it; records before the time are skipped, a chunk boundary changes nothing. */
static void test_options(void)
{
    const char *log = "2024-01-01T00:00:01.000000000Z stdout F one\n"
                      "2024-01-01T00:00:02.500000000Z stdout P tw\n"
                      "2024-01-01T00:00:03.120000000Z stdout F o\n"
                      "2024-01-01T00:00:04.000000001+02:00 stderr F three\n"
                      "2024-01-01T00:00:05Z stdout F four\n";
    _cleanup_close_ int fd = file_with("options.log", log, strlen(log));
    const size_t sizes[] = {65536, 5};
    for (size_t i = 0; i < 2; i++) {
        struct log_reader *r = log_reader_new(dup(fd), 0);
        log_reader_set_options(r, 0, true);
        size_t len;
        _cleanup_free_ char *t = read_all(r, sizes[i], &len);
        tap_is_str(t,
                   "2024-01-01T00:00:01Z one\n2024-01-01T00:00:02.5Z two\n"
                   "2024-01-01T00:00:04.000000001+02:00 three\n2024-01-01T00:00:05Z four\n",
                   "timestamps as RFC3339Nano, once a line (read %zu at a time)", sizes[i]);
        log_reader_free(r);
    }
    int64_t since;
    orc_time_parse_rfc3339("2024-01-01T00:00:03Z", &since);
    struct log_reader *r = log_reader_new(dup(fd), 0);
    log_reader_set_options(r, since, false);
    size_t len;
    _cleanup_free_ char *t = read_all(r, 65536, &len);
    tap_is_str(t, "o\nfour\n", "since: older records skipped, the +02:00 one was earlier in UTC");
    log_reader_free(r);
}

int main(void)
{
    if (!mkdtemp(tmp_dir))
        return 1;
    test_cri_to_text();
    test_reader_and_tail();
    test_long_record();
    test_huge_file();
    test_options();
    _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmp_dir);
    (void) !system(cmd);
    return tap_done();
}
