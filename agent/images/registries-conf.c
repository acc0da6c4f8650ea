/* SPDX-License-Identifier: Apache-2.0 */
#include "images/registries-conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strv.h"
#include "xalloc.h"

#define MAX_ENTRIES 256

static char *trim(char *s)
{
    while (isspace((unsigned char) *s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char) e[-1]))
        *--e = '\0';
    return s;
}

/* A TOML basic or literal string at *p; advances past it. */
static char *parse_string(char **p)
{
    char q = **p;
    if (q != '"' && q != '\'')
        return NULL;
    char *s = *p + 1, *out = xmalloc(strlen(s) + 1);
    size_t n = 0;
    for (; *s && *s != q; s++) {
        if (q == '"' && *s == '\\' && s[1])
            s++;
        out[n++] = *s;
    }
    if (*s != q) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *p = s + 1;
    return out;
}

static int parse_array(char *v, char ***ret)
{
    char **list = new0(char *, 1);
    if (*v++ != '[')
        goto bad;
    for (;;) {
        while (isspace((unsigned char) *v) || *v == ',')
            v++;
        if (*v == ']')
            break;
        _cleanup_free_ char *s = parse_string(&v);
        if (!s)
            goto bad;
        list = strv_push(list, s);
    }
    *ret = list;
    return 0;
bad:
    strv_free(list);
    return -EINVAL;
}

static int parse_bool(const char *v, bool *ret)
{
    if (!strcmp(v, "true") || !strcmp(v, "false")) {
        *ret = !strcmp(v, "true");
        return 0;
    }
    return -EINVAL;
}

enum section { TOP, REGISTRY, MIRROR, OTHER };

static int set_key(struct registries_conf *c, enum section sec, const char *key, char *v)
{
    struct registry_entry *e = c->n_entries ? &c->entries[c->n_entries - 1] : NULL;
    if (sec == TOP && !strcmp(key, "unqualified-search-registries")) {
        strv_free(c->search);
        c->search = NULL;
        return parse_array(v, &c->search);
    }
    if (sec == REGISTRY && (!strcmp(key, "location") || !strcmp(key, "prefix"))) {
        char *s = parse_string(&v);
        if (!s)
            return -EINVAL;
        if (!e->location || !strcmp(key, "prefix")) {
            free(e->location);
            e->location = s;
        } else
            free(s);
        return 0;
    }
    if (sec == REGISTRY && !strcmp(key, "insecure"))
        return parse_bool(v, &e->insecure);
    if (sec == REGISTRY && !strcmp(key, "blocked"))
        return parse_bool(v, &e->blocked);
    if (sec == MIRROR && !strcmp(key, "location")) {
        _cleanup_free_ char *s = parse_string(&v);
        if (!s)
            return -EINVAL;
        e->mirrors = strv_push(e->mirrors, s);
        return 0;
    }
    if (sec == MIRROR && !strcmp(key, "insecure")) {
        bool b;
        if (parse_bool(v, &b) < 0 || !e->mirrors)
            return -EINVAL;
        if (b)
            e->insecure_mirrors =
                strv_push(e->insecure_mirrors, e->mirrors[strv_length(e->mirrors) - 1]);
        return 0;
    }
    return 0; /* other keys: not orc's business */
}

static int parse_line(struct registries_conf *c, enum section *sec, char *line)
{
    char *l = trim(line);
    if (!*l || *l == '#')
        return 0;
    if (!strcmp(l, "[[registry]]")) {
        if (c->n_entries == MAX_ENTRIES)
            return -E2BIG;
        c->entries = xrealloc(c->entries, (c->n_entries + 1) * sizeof(*c->entries));
        c->entries[c->n_entries++] = (struct registry_entry){0};
        *sec = REGISTRY;
        return 0;
    }
    if (!strcmp(l, "[[registry.mirror]]")) {
        if (!c->n_entries)
            return -EINVAL;
        *sec = MIRROR;
        return 0;
    }
    if (*l == '[') {
        *sec = OTHER;
        return 0;
    }
    char *eq = strchr(l, '=');
    if (!eq)
        return -EINVAL;
    *eq = '\0';
    char *v = trim(eq + 1);
    char *hash = NULL; /* a comment after the value, outside strings */
    for (char *p = v, q = 0; *p; p++)
        if (!q && (*p == '"' || *p == '\''))
            q = *p;
        else if (q && *p == q)
            q = 0;
        else if (!q && *p == '#' && !hash)
            hash = p;
    if (hash)
        *hash = '\0';
    return set_key(c, *sec, trim(l), trim(v));
}

int registries_conf_parse(const char *text, const char *file, struct registries_conf *ret,
                          orc_error_t *err)
{
    struct registries_conf c = {0};
    enum section sec = TOP;
    _cleanup_free_ char *copy = xstrdup(text);
    int lineno = 0;
    for (char *p = copy, *line; (line = strsep(&p, "\n"));) {
        lineno++;
        if (parse_line(&c, &sec, line) < 0) {
            registries_conf_done(&c);
            return orc_error_make(err, EINVAL, "%s:%d: cannot read this line", file, lineno);
        }
    }
    for (size_t i = 0; i < c.n_entries; i++)
        if (!c.entries[i].location) {
            registries_conf_done(&c);
            return orc_error_make(err, EINVAL, "%s: a [[registry]] without location", file);
        }
    *ret = c;
    return 0;
}

void registries_conf_done(struct registries_conf *c)
{
    for (size_t i = 0; i < c->n_entries; i++) {
        free(c->entries[i].location);
        strv_free(c->entries[i].mirrors);
        strv_free(c->entries[i].insecure_mirrors);
    }
    free(c->entries);
    strv_free(c->search);
    *c = (struct registries_conf){0};
}

const struct registry_entry *registries_conf_find(const struct registries_conf *c,
                                                  const char *registry, const char *repository)
{
    _cleanup_free_ char *full = xasprintf("%s/%s", registry, repository ? repository : "");
    const struct registry_entry *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; c && i < c->n_entries; i++) {
        const char *loc = c->entries[i].location;
        size_t n = strlen(loc);
        if (strncmp(full, loc, n) == 0 && (full[n] == '/' || full[n] == '\0') && n > best_len) {
            best = &c->entries[i];
            best_len = n;
        }
    }
    return best;
}
