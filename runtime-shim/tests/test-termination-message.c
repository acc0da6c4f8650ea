/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "tap.h"
#include "termination-message.h"
#include "text-buf.h"
#include "xalloc.h"

#define TS "2023-11-14T22:13:20.000000000Z"

/* Records "TS STREAM TAG line FIRST" .. "line LAST", one per line. */
static char *records(const char *stream, int first, int last)
{
    struct text_buf b = {0};
    for (int i = first; i <= last; i++)
        text_buf_printf(&b, TS " %s F line %d\n", stream, i);
    return text_buf_steal(&b, NULL);
}

static char *tail_of(const char *log, bool whole, size_t *len)
{
    return tmsg_log_tail(log, strlen(log), whole, len);
}

static void test_log_tail(void)
{
    size_t len = 0;
    _cleanup_free_ char *log = records("stdout", 1, 100);
    _cleanup_free_ char *want = xstrdup("");
    for (int i = 21; i <= 100; i++) {
        char *w = xasprintf("%sline %d\n", want, i);
        free(want);
        want = w;
    }
    _cleanup_free_ char *t = tail_of(log, true, &len);
    tap_is_str(t, want, "the last 80 records' text");
    tap_is_int(len, strlen(want), "and its length");

    const char *mixed = TS " stdout F one\n" TS " stderr P tw\n" TS " stderr F o\n" TS
                           " stdout F \n" TS " stdout F three\n";
    _cleanup_free_ char *m = tail_of(mixed, true, &len);
    tap_is_str(m, "one\ntwo\n\nthree\n", "stdout and stderr alike, P records joined, empty lines");

    struct text_buf b = {0};
    char line[301];
    for (int i = 0; i < 10; i++) {
        memset(line, 'a' + i, 300);
        line[300] = '\0';
        text_buf_printf(&b, TS " stderr F %s\n", line);
    }
    _cleanup_free_ char *big = text_buf_steal(&b, NULL);
    _cleanup_free_ char *bt = tail_of(big, true, &len);
    tap_is_int(len, TMSG_LOG_MAX, "at most 2048 bytes");
    tap_ok(bt[len - 1] == '\n' && bt[len - 2] == 'j' && bt[0] == 'd',
           "its last bytes: the end of the last record");

    const char *cut = "ut F cut off\n" TS " stdout F kept\n";
    _cleanup_free_ char *c = tail_of(cut, false, &len);
    tap_is_str(c, "kept\n", "a window's first line, cut, is passed over");
    _cleanup_free_ char *c2 = tail_of(cut, true, &len);
    tap_is_str(c2, "kept\n", "a line that is no record gives nothing");

    _cleanup_free_ char *counted = records("stdout", 1, 80);
    _cleanup_free_ char *with_junk = xasprintf("%sjunk\n", counted);
    _cleanup_free_ char *j = tail_of(with_junk, true, &len);
    tap_ok(strncmp(j, "line 2\n", 7) == 0, "a line that is no record still counts as a line");

    _cleanup_free_ char *unended = xasprintf("%s" TS " stdout F no newline", counted);
    _cleanup_free_ char *u = tail_of(unended, true, &len);
    tap_ok(strncmp(u, "line 1\n", 7) == 0 && strstr(u, "line 80\nno newline") && u[len - 1] == 'e',
           "a last line without its newline is read, not counted");

    _cleanup_free_ char *e = tmsg_log_tail("", 0, true, &len);
    tap_is_str(e, "", "an empty log gives nothing");
    tap_is_int(len, 0, "of length 0");
}

static void test_compose(void)
{
    _cleanup_free_ char *a = tmsg_compose(NULL, "Sleep expired\n", 14, 4096);
    tap_is_str(a, "Sleep expired\n", "the text as it is");
    _cleanup_free_ char *b = tmsg_compose("runtime said", "x", 1, 0);
    tap_is_str(b, "runtime said: x", "after the runtime's message and ': '");
    _cleanup_free_ char *c = tmsg_compose(NULL, "abcdef", 6, 3);
    tap_is_str(c, "abc", "cut to its first max bytes");
    tap_ok(tmsg_compose(NULL, "", 0, 0) == NULL, "no text: no message");
    _cleanup_free_ char *d = tmsg_compose(NULL,
                                          "a\xff"
                                          "b\xc3",
                                          4, 0);
    tap_is_str(d,
               "a\xef\xbf\xbd"
               "b\xef\xbf\xbd",
               "a byte that is not UTF-8 becomes U+FFFD");
    _cleanup_free_ char *e = tmsg_compose(NULL, "\xe2\x82\xac\xe2\x82\xac", 6, 5);
    tap_is_str(e, "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd",
               "a character cut in two: U+FFFD for each of its bytes, as Go encodes it");
    _cleanup_free_ char *f = tmsg_compose(NULL, "\xed\xa0\x80-\xc0\xaf-\xf4\x90\x80\x80", 11, 0);
    tap_is_str(f,
               "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd-"
               "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
               "surrogates, overlong forms and code points above U+10FFFF are not UTF-8");
    _cleanup_free_ char *g = tmsg_compose(NULL, "a\0b", 3, 0);
    tap_is_str(g, "ab", "NUL bytes dropped");
    _cleanup_free_ char *h = tmsg_compose(NULL, "\xf0\x9f\x98\x80 \xc3\xa9", 7, 0);
    tap_is_str(h, "\xf0\x9f\x98\x80 \xc3\xa9", "valid UTF-8 kept");
}

static void write_text(const char *path, const char *text, size_t len)
{
    orc_error_t err = NULL;
    if (orc_write_file_atomic(path, text, len, 0644, &err) < 0) {
        printf("# %s\n", orc_error_message(err));
        orc_error_release(&err);
    }
}

static void test_read(void)
{
    char dir[] = "/tmp/test-tmsg.XXXXXX";
    if (!mkdtemp(dir)) {
        tap_ok(false, "mkdtemp");
        return;
    }
    _cleanup_free_ char *file = orc_path_join(dir, "termination-log");
    _cleanup_free_ char *log = orc_path_join(dir, "0.log");
    _cleanup_free_ char *missing = orc_path_join(dir, "missing");
    size_t len = 99;
    _cleanup_free_ char *none = tmsg_read(missing, false, log, &len);
    tap_ok(len == 0 && !none, "no file: no message");

    char big[5000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char) ('a' + i % 26);
    write_text(file, big, sizeof(big));
    _cleanup_free_ char *m = tmsg_read(file, false, log, &len);
    tap_is_int(len, TMSG_FILE_MAX, "at most 4096 bytes of the file");
    tap_ok(m && memcmp(m, big + sizeof(big) - TMSG_FILE_MAX, TMSG_FILE_MAX) == 0,
           "its last 4096 bytes, as kubelet reads it");

    _cleanup_free_ char *recs = records("stderr", 1, 3);
    write_text(log, recs, strlen(recs));
    _cleanup_free_ char *f = tmsg_read(file, true, log, &len);
    tap_ok(len == TMSG_FILE_MAX && f && f[0] == big[sizeof(big) - TMSG_FILE_MAX],
           "with the fallback, a file with a message is still what counts");
    write_text(file, "", 0);
    _cleanup_free_ char *l = tmsg_read(file, true, log, &len);
    tap_is_str(l, "line 1\nline 2\nline 3\n", "an empty file falls back to the log");
    _cleanup_free_ char *e = tmsg_read(file, false, log, &len);
    tap_ok(len == 0 && (!e || !*e), "without the fallback an empty file is no message");
    _cleanup_free_ char *mf = tmsg_read(missing, true, log, &len);
    tap_is_str(mf, "line 1\nline 2\nline 3\n", "so does a missing one");
    _cleanup_free_ char *nl = tmsg_read(NULL, true, log, &len);
    tap_is_str(nl, "line 1\nline 2\nline 3\n", "and none at all");

    _cleanup_free_ char *many = records("stdout", 1, 5000); /* well over the window */
    write_text(log, many, strlen(many));
    _cleanup_free_ char *w = tmsg_read(file, true, log, &len);
    tap_ok(len > 0 && strncmp(w, "line 4921\n", 10) == 0 && strstr(w, "line 5000\n"),
           "a long log: its last 80 records");

    _cleanup_free_ char *d = tmsg_read(dir, false, log, &len);
    tap_ok(d && strncmp(d, "Error on reading termination log ", 33) == 0,
           "a file that cannot be read gives kubelet's error as the message");
    _cleanup_free_ char *nolog = tmsg_read(missing, true, missing, &len);
    tap_ok(nolog && strstr(nolog, "Error on reading termination message from logs: ") == nolog,
           "so does a log that cannot be read");

    (void) unlink(file);
    (void) unlink(log);
    (void) rmdir(dir);
}

int main(void)
{
    test_log_tail();
    test_compose();
    test_read();
    return tap_done();
}
