/* SPDX-License-Identifier: Apache-2.0 */
#include "json-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "strv.h"
#include "xalloc.h"

const char *orc_json_str(const json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

long long orc_json_int(const json_t *obj, const char *key, long long def)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : def;
}

json_t *orc_json_obj(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_object(v)) {
        v = json_object();
        json_object_set_new(obj, key, v);
    }
    return v;
}

int orc_json_parse(const char *buf, size_t len, json_t **ret, orc_error_t *err)
{
    json_error_t jerr;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        return orc_error_make(err, 0, "invalid JSON at line %d column %d: %s", jerr.line,
                              jerr.column, jerr.text);
    *ret = j;
    return 0;
}

char *orc_json_dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s)
        abort();
    return s;
}

int orc_json_send_line(int fd, const json_t *j)
{
    char *line = orc_json_dump(j);
    size_t n = strlen(line);
    line = xrealloc(line, n + 2);
    line[n++] = '\n';
    size_t off = 0;
    int r = 0;
    while (off < n) {
        ssize_t w = send(fd, line + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            r = w < 0 ? -errno : -EPIPE;
            break;
        }
        off += (size_t) w;
    }
    free(line);
    return r;
}

json_t *orc_json_strv_array(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

char **orc_json_array_strv(const json_t *a)
{
    if (!json_is_array(a))
        return NULL;
    char **v = new0(char *, 1);
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
        if (json_is_string(e))
            v = strv_push(v, json_string_value(e));
    return v;
}
