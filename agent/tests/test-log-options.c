/* SPDX-License-Identifier: Apache-2.0 */
/* A pods/log query read as kube-apiserver reads a PodLogOptions, with its messages. */
#include <errno.h>
#include <string.h>

#include "api/log-options.h"
#include "tap.h"
#include "time-util.h"

/* "key=value&key" queries, for the lookup */
static const char *lookup(void *arg, const char *key)
{
    static char values[16][256]; /* each lookup's own: the parser keeps them */
    static unsigned next;
    char *value = values[next++ % 16];
    const char *q = arg;
    size_t k = strlen(key);
    for (const char *p = q; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, key, k) || (p[k] != '=' && p[k] != '&' && p[k]))
            continue;
        if (p[k] != '=')
            return "";
        size_t n = strcspn(p + k + 1, "&");
        memcpy(value, p + k + 1, n);
        value[n] = '\0';
        return value;
    }
    return NULL;
}

static int parse(const char *q, struct log_options *o, char *msg, size_t size)
{
    orc_error_t err = NULL;
    int r = log_options_parse(lookup, (void *) q, 1000 * NSEC_PER_SEC, o, &err);
    msg[0] = '\0';
    if (r < 0) {
        snprintf(msg, size, "%s", orc_error_message(err));
        r = orc_error_code(err);
        orc_error_release(&err);
    }
    return r;
}

int main(void)
{
    struct log_options o;
    char msg[512];
    tap_is_int(parse("", &o, msg, sizeof(msg)), 0, "nothing asked");
    tap_ok(o.tail_lines == -1 && o.limit_bytes == -1 && o.since_ns == 0 && !o.follow &&
               !o.timestamps && !o.previous && !o.container,
           "every line, no limit, from the start");
    tap_is_int(parse("follow=true&previous=1&timestamps", &o, msg, sizeof(msg)), 0, "booleans");
    tap_ok(o.follow && o.previous && o.timestamps, "true, 1 and a bare key are true");
    tap_is_int(parse("follow=No&previous=F&timestamps=0", &o, msg, sizeof(msg)), 0, "falses");
    tap_ok(!o.follow && !o.previous && !o.timestamps, "no, f, 0 in any case are false");
    tap_is_int(parse("tailLines=0&limitBytes=10&sinceSeconds=60&container=c", &o, msg, sizeof(msg)),
               0, "numbers");
    tap_ok(o.tail_lines == 0 && o.limit_bytes == 10 && o.since_ns == 940 * NSEC_PER_SEC &&
               !strcmp(o.container, "c"),
           "tail 0, limit 10, since 60 s before now, the container");
    tap_is_int(parse("sinceTime=1970-01-01T00:10:00Z", &o, msg, sizeof(msg)), 0, "sinceTime");
    tap_ok(o.since_ns == 600 * NSEC_PER_SEC, "an RFC 3339 time");

    tap_is_int(parse("tailLines=abc", &o, msg, sizeof(msg)), -EBADMSG, "not a number: 400");
    tap_is_str(msg, "strconv.ParseInt: parsing \"abc\": invalid syntax", "Go's message");
    tap_is_int(parse("limitBytes=99999999999999999999", &o, msg, sizeof(msg)), -EBADMSG,
               "out of range: 400");
    tap_is_str(msg, "strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
               "Go's message");
    tap_is_int(parse("sinceTime=yesterday", &o, msg, sizeof(msg)), -EBADMSG, "not a time: 400");
    tap_ok(strstr(msg, "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\"") != NULL,
           "Go's message: %s", msg);

    tap_is_int(parse("tailLines=-1", &o, msg, sizeof(msg)), -EINVAL, "a negative tail: 422");
    tap_is_str(msg, "tailLines: Invalid value: -1: must be greater than or equal to 0",
               "ValidatePodLogOptions' words");
    tap_is_int(parse("limitBytes=0", &o, msg, sizeof(msg)), -EINVAL, "limitBytes 0: 422");
    tap_is_str(msg, "limitBytes: Invalid value: 0: must be greater than 0", "its words");
    tap_is_int(parse("sinceSeconds=0", &o, msg, sizeof(msg)), -EINVAL, "sinceSeconds 0: 422");
    tap_is_str(msg, "sinceSeconds: Invalid value: 0: must be greater than 0", "its words");
    tap_is_int(
        parse("sinceSeconds=5&sinceTime=1970-01-01T00:00:00Z&tailLines=-2", &o, msg, sizeof(msg)),
        -EINVAL, "several: 422");
    tap_is_str(msg,
               "[tailLines: Invalid value: -2: must be greater than or equal to 0, : Forbidden: at "
               "most one of `sinceTime` or `sinceSeconds` may be specified]",
               "each, in a list");
    return tap_done();
}
