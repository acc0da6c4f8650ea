/* SPDX-License-Identifier: Apache-2.0 */
#include "images-view.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json-util.h"
#include "output.h"
#include "time-util.h"
#include "xalloc.h"

static const char *id_hex(const char *id)
{
    return !strncmp(id, "sha256:", 7) ? id + 7 : id;
}

void image_short_id(const char *id, char buf[static 13])
{
    snprintf(buf, 13, "%s", id ? id_hex(id) : "");
}

char *image_size_text(long long b)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double) b;
    size_t u = 0;
    while (v >= 1000 && u + 1 < ELEMENTSOF(units)) {
        v /= 1000;
        u++;
    }
    return xasprintf("%.3g %s", v, units[u]);
}

char *image_created_text(int64_t delta_ns)
{
    long long s = delta_ns / NSEC_PER_SEC, m = s / 60,
              h = (delta_ns + 1800 * NSEC_PER_SEC) / (3600 * NSEC_PER_SEC);
    if (s < 1)
        return xstrdup("Less than a second ago");
    if (s < 60)
        return s == 1 ? xstrdup("1 second ago") : xasprintf("%lld seconds ago", s);
    if (m < 60)
        return m == 1 ? xstrdup("About a minute ago") : xasprintf("%lld minutes ago", m);
    if (h == 1)
        return xstrdup("About an hour ago");
    if (h < 48)
        return xasprintf("%lld hours ago", h);
    if (h < 24 * 7 * 2)
        return xasprintf("%lld days ago", h / 24);
    if (h < 24 * 30 * 2)
        return xasprintf("%lld weeks ago", h / 24 / 7);
    if (h < 24 * 365 * 2)
        return xasprintf("%lld months ago", h / 24 / 30);
    return xasprintf("%lld years ago", s / 3600 / 24 / 365);
}

static bool has_tag(const char *ref)
{
    const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');
    return strchr(ref, '@') || (colon && (!slash || colon > slash));
}

static bool name_matches(const char *name, const char *ref)
{
    static const char *const prefixes[] = {"", "localhost/", "docker.io/library/", "docker.io/"};
    for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], pl))
            continue;
        const char *rest = name + pl;
        if (!strcmp(rest, ref))
            return true;
        size_t rl = strlen(ref);
        if (!has_tag(ref) && !strncmp(rest, ref, rl) && !strcmp(rest + rl, ":latest"))
            return true;
    }
    return false;
}

static bool id_matches(const char *id, const char *ref)
{
    const char *hex = id_hex(ref);
    size_t n = strlen(hex);
    return n >= 3 && strspn(hex, "0123456789abcdef") == n && !strncmp(id_hex(id), hex, n);
}

const json_t *image_find(const json_t *items, const char *ref)
{
    size_t i, k;
    json_t *img, *name;
    json_array_foreach(items, i, img)
        json_array_foreach(json_object_get(img, "names"), k, name)
            if (json_string_value(name) && name_matches(json_string_value(name), ref))
                return img;
    json_array_foreach(items, i, img)
        if (id_matches(orc_json_str(img, "id") ?: "", ref))
            return img;
    return NULL;
}

static void add_rows(struct table *t, const json_t *img, int64_t now)
{
    char shortid[13];
    image_short_id(orc_json_str(img, "id"), shortid);
    _cleanup_free_ char *ago = image_created_text(now - orc_json_int(img, "created", now));
    _cleanup_free_ char *size = image_size_text(orc_json_int(img, "size", 0));
    json_t *names = json_object_get(img, "names");
    if (!json_array_size(names)) {
        const char *row[] = {"<none>", "<none>", shortid, ago, size, NULL};
        table_add(t, row);
    }
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        _cleanup_free_ char *repo = xstrdup(json_string_value(v) ?: "");
        char *at = strchr(repo, '@'), *colon = strrchr(repo, ':');
        const char *tag = "<none>";
        if (at) {
            *at = '\0';
        } else if (colon && !strchr(colon, '/')) {
            *colon = '\0';
            tag = colon + 1;
        }
        const char *row[] = {repo, tag, shortid, ago, size, NULL};
        table_add(t, row);
    }
}

void images_table_print(FILE *f, const json_t *items, int64_t now_ns)
{
    struct table t = {0};
    const char *hdr[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", NULL};
    table_add(&t, hdr);
    size_t i;
    json_t *img;
    json_array_foreach(items, i, img)
        add_rows(&t, img, now_ns);
    table_print(&t, f);
    table_free(&t);
}
