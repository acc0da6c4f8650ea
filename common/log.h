/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdio.h>

enum log_level {
    LOG_LEVEL_ERROR,
    LOG_LEVEL_WARN,
    LOG_LEVEL_INFO,
    LOG_LEVEL_DEBUG,
    _LOG_LEVEL_MAX,
    _LOG_LEVEL_INVALID = -22,
};

enum log_format {
    LOG_FORMAT_TEXT,
    LOG_FORMAT_JSON,
};

/* Process-wide logging setup, done once by main(). Default: text, info, stderr. */
void log_setup(const char *ident, enum log_level level, enum log_format format);
void log_set_file(FILE *f); /* takes no ownership; NULL = stderr */
enum log_level log_level_from_string(const char *s);
enum log_format log_format_from_string(const char *s);
enum log_level log_get_level(void);

void log_emit(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_emit(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_emit(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_emit(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_emit(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* A line about one object, as systemd's log_unit_*(): text "pod 'ns/name': message", JSON
 * with a field named after the kind ("pod": "ns/name"). */
void log_object_emit(enum log_level level, const char *kind, const char *ns, const char *name,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* p: anything with `namespace` and `name` strings (struct pod). */
#define log_pod(level, p, ...) log_object_emit(level, "pod", (p)->namespace, (p)->name, __VA_ARGS__)
#define log_pod_error(p, ...) log_pod(LOG_LEVEL_ERROR, p, __VA_ARGS__)
#define log_pod_warn(p, ...) log_pod(LOG_LEVEL_WARN, p, __VA_ARGS__)
#define log_pod_info(p, ...) log_pod(LOG_LEVEL_INFO, p, __VA_ARGS__)
#define log_pod_debug(p, ...) log_pod(LOG_LEVEL_DEBUG, p, __VA_ARGS__)
