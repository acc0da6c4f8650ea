/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A container's termination message, read when it exits as kubelet reads it: the end of the
 * file bound at its terminationMessagePath and, with FallbackToLogsOnError after a failure
 * and nothing in the file, the end of its log. Pure parts apart from the reads.
 */
#include <stdbool.h>
#include <stddef.h>

/* kubelet's limits (pkg/kubelet/container): MaxContainerTerminationMessageLength,
 * MaxContainerTerminationMessageLogLength and MaxContainerTerminationMessageLogLines. */
#define TMSG_FILE_MAX 4096
#define TMSG_LOG_MAX 2048
#define TMSG_LOG_LINES 80
/* How much of the log's end is read: orc-shim's records are at most CRI_MAX_LINE (16 KiB)
 * of text and some 50 bytes more, so the records that give the last TMSG_LOG_MAX bytes of
 * the last TMSG_LOG_LINES records always lie in it whole. */
#define TMSG_LOG_WINDOW (64 * 1024)

/* The text of the last TMSG_LOG_LINES records of a CRI log, stdout and stderr alike (an F
 * record's text and a newline, a P record's text alone, a line that is no record nothing), and
 * of that its last TMSG_LOG_MAX bytes, as kubelet's readLastStringFromContainerLogs: buf holds
 * the log's last len bytes, from its start when whole (else the first line, cut, is passed
 * over). A last line without its newline is read but not counted, as kubelet's tail does.
 * Returns allocated text (*ret_len bytes, NUL-terminated). Pure. */
char *tmsg_log_tail(const char *buf, size_t len, bool whole, size_t *ret_len);

/* The message as the API shows it: "PREFIX: TEXT" (TEXT alone without a prefix), cut to its
 * first max bytes (0: not cut) as kubelet's status manager cuts it, each byte that is not
 * part of valid UTF-8 then replaced by U+FFFD as Go's encoding/json replaces it, and NUL
 * bytes dropped (a C string). NULL when the text is empty. Pure. */
char *tmsg_compose(const char *prefix, const char *text, size_t len, size_t max);

/* The termination message of a container that exited: the last TMSG_FILE_MAX bytes of file
 * (NULL: the container had none); with fallback, when that gives nothing, the end of the CRI
 * log at log_path (tmsg_log_tail). A file that cannot be read gives kubelet's "Error on
 * reading termination log PATH: ..." (a missing one nothing). Allocated, *ret_len bytes (0:
 * no message). */
char *tmsg_read(const char *file, bool fallback, const char *log_path, size_t *ret_len);
