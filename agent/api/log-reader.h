/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * CRI log files ("<time> <stream> <P|F> <text>\n", written by orc-shim) read as kubelet
 * serves them: the text, partial lines joined. Whatever the file's size, a reader holds at
 * most one record and a chunk (twice: read and converted), and the last N lines are found
 * by reading from the end.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LOG_READER_CHUNK (64u * 1024)       /* one read() */
#define LOG_READER_MAX_RECORD (256u * 1024) /* orc-shim writes 16 KiB; longer ones are dropped */

struct log_reader;

/* Reads fd (taken: closed by log_reader_free) from offset. */
struct log_reader *log_reader_new(int fd, off_t offset);
struct log_reader *log_reader_free(struct log_reader *r);
/* Records before since_ns (ns since the epoch; 0: none) are skipped, as kubelet's
 * sinceTime; with timestamps each line begins with the time of its first record, as kubelet
 * prints it (RFC 3339, the fraction's trailing zeros dropped) and a space. */
void log_reader_set_options(struct log_reader *r, int64_t since_ns, bool timestamps);
/* Text for out: > 0 bytes (at most max), 0 at the end of what the file holds now, or -errno. */
ssize_t log_reader_read(struct log_reader *r, char *out, size_t max);
/* Continues with another file (a rotated log's successor) from its start; takes fd. */
void log_reader_switch(struct log_reader *r, int fd);
/* The file the reader reads. */
int log_reader_fd(const struct log_reader *r);

/* Offset of the record where the last n text lines of fd begin (n = 0: the end). A line is
 * its P records and the F record that ends it; P records at the end count as one more. */
int log_tail_offset(int fd, long n, off_t *ret);

/* Text of the whole records of in (a record without its '\n' stays unread), appended to
 * *out. Returns the bytes consumed. */
size_t cri_to_text(const char *in, size_t len, char **out, size_t *out_len);
