/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "time-util.h"

static const char *log_ident = "orc";
static enum log_level log_max = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static FILE *log_file;

static const char *const level_names[_LOG_LEVEL_MAX] = {"error", "warn", "info", "debug"};

void log_setup(const char *ident, enum log_level level, enum log_format format)
{
    log_ident = ident;
    log_max = level;
    log_fmt = format;
}

void log_set_file(FILE *f)
{
    log_file = f;
}

enum log_level log_get_level(void)
{
    return log_max;
}

enum log_level log_level_from_string(const char *s)
{
    for (int i = 0; i < _LOG_LEVEL_MAX; i++)
        if (s && strcmp(s, level_names[i]) == 0)
            return i;
    return _LOG_LEVEL_INVALID;
}

enum log_format log_format_from_string(const char *s)
{
    if (s && strcmp(s, "text") == 0)
        return LOG_FORMAT_TEXT;
    if (s && strcmp(s, "json") == 0)
        return LOG_FORMAT_JSON;
    return -22;
}

static void emit(enum log_level level, const char *kind, const char *object, const char *msg)
{
    FILE *out = log_file ? log_file : stderr;
    char ts[64];
    orc_time_format_rfc3339(orc_time_now_ns(), true, ts, sizeof(ts));
    if (log_fmt == LOG_FORMAT_JSON) {
        json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "time", ts, "level", level_names[level], "ident",
                              log_ident, "msg", msg);
        if (o && kind)
            json_object_set_new(o, kind, json_string(object));
        char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (line)
            fprintf(out, "%s\n", line);
        free(line);
        json_decref(o);
    } else if (kind) {
        fprintf(out, "%s %s[%s]: %s '%s': %s\n", ts, log_ident, level_names[level], kind, object,
                msg);
    } else {
        fprintf(out, "%s %s[%s]: %s\n", ts, log_ident, level_names[level], msg);
    }
    fflush(out);
}

void log_emit(enum log_level level, const char *fmt, ...)
{
    if (level > log_max)
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    emit(level, NULL, NULL, msg);
}

void log_object_emit(enum log_level level, const char *kind, const char *ns, const char *name,
                     const char *fmt, ...)
{
    if (level > log_max)
        return;
    char msg[4096], object[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(object, sizeof(object), "%s/%s", ns ? ns : "", name ? name : "");
    emit(level, kind, object, msg);
}
