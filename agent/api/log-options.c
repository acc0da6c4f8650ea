/* SPDX-License-Identifier: Apache-2.0 */
/* A pods/log request's options, as kube-apiserver reads and validates them. */
#include "api/log-options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "time-util.h"
#include "xalloc.h"

static bool query_bool(const char *v)
{
    static const char *const no[] = {"0", "f", "false", "n", "no"};
    if (!v)
        return false;
    for (size_t i = 0; i < ELEMENTSOF(no); i++)
        if (!strcasecmp(v, no[i]))
            return false;
    return true;
}

/* An int64 as Go's strconv.ParseInt reads it (no spaces; a sign allowed); 0, or -EBADMSG
 * with its message. */
static int query_int(const char *v, long long *ret, orc_error_t *err)
{
    if (!v)
        return 0;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || strchr(" \t\n\v\f\r", *v))
        return orc_error_make_as(err, EBADMSG, "strconv.ParseInt: parsing \"%s\": invalid syntax",
                                 v);
    if (errno == ERANGE)
        return orc_error_make_as(err, EBADMSG,
                                 "strconv.ParseInt: parsing \"%s\": value out of range", v);
    *ret = n;
    return 0;
}

/* Appends one validation error to *list ("a, b"). */
static void add_error(char **list, size_t *n, char *one)
{
    char *joined = xasprintf("%s%s%s", *list ? *list : "", *list ? ", " : "", one);
    free(*list);
    free(one);
    *list = joined;
    (*n)++;
}

/* The numbers as written; present: whether each was. */
struct raw_options {
    const char *tail, *limit, *seconds, *time;
    long long tail_lines, limit_bytes, since_seconds;
};

/* ValidatePodLogOptions: -EINVAL with the errors, as field.ErrorList prints them. */
static int validate(const struct raw_options *o, orc_error_t *err)
{
    _cleanup_free_ char *list = NULL;
    size_t n = 0;
    if (o->tail && o->tail_lines < 0)
        add_error(&list, &n,
                  xasprintf("tailLines: Invalid value: %lld: must be greater than or equal to 0",
                            o->tail_lines));
    if (o->limit && o->limit_bytes < 1)
        add_error(
            &list, &n,
            xasprintf("limitBytes: Invalid value: %lld: must be greater than 0", o->limit_bytes));
    if (o->seconds && o->time)
        add_error(&list, &n,
                  xstrdup(": Forbidden: at most one of `sinceTime` or `sinceSeconds` may be "
                          "specified"));
    else if (o->seconds && o->since_seconds < 1)
        add_error(&list, &n,
                  xasprintf("sinceSeconds: Invalid value: %lld: must be greater than 0",
                            o->since_seconds));
    if (!n)
        return 0;
    return orc_error_make_as(err, EINVAL, "%s%s%s", n > 1 ? "[" : "", list, n > 1 ? "]" : "");
}

int log_options_parse(log_options_lookup lookup, void *arg, int64_t now_ns, struct log_options *ret,
                      orc_error_t *err)
{
    struct log_options o = {.container = lookup(arg, "container"),
                            .follow = query_bool(lookup(arg, "follow")),
                            .previous = query_bool(lookup(arg, "previous")),
                            .timestamps = query_bool(lookup(arg, "timestamps")),
                            .tail_lines = -1,
                            .limit_bytes = -1};
    struct raw_options raw = {.tail = lookup(arg, "tailLines"),
                              .limit = lookup(arg, "limitBytes"),
                              .seconds = lookup(arg, "sinceSeconds"),
                              .time = lookup(arg, "sinceTime")};
    if (query_int(raw.tail, &raw.tail_lines, err) < 0 ||
        query_int(raw.limit, &raw.limit_bytes, err) < 0 ||
        query_int(raw.seconds, &raw.since_seconds, err) < 0)
        return -1;
    if (raw.time && orc_time_parse_rfc3339(raw.time, &o.since_ns) < 0)
        return orc_error_make_as(err, EBADMSG,
                                 "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": cannot "
                                 "parse \"%s\" as \"2006\"",
                                 raw.time, raw.time);
    if (validate(&raw, err) < 0)
        return -1;
    if (raw.tail)
        o.tail_lines = raw.tail_lines;
    if (raw.limit)
        o.limit_bytes = raw.limit_bytes;
    if (raw.seconds)
        o.since_ns = now_ns - raw.since_seconds * NSEC_PER_SEC;
    *ret = o;
    return 0;
}
