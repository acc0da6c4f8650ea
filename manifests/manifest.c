/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "manifest.h"
#include "strv.h"
#include "xalloc.h"

static const char *const pull_names[_PULL_POLICY_MAX] = {"Always", "IfNotPresent", "Never"};
static const char *const restart_names[_RESTART_POLICY_MAX] = {"Always", "OnFailure", "Never"};

const char *pull_policy_to_string(enum pull_policy p)
{
    return p >= 0 && p < _PULL_POLICY_MAX ? pull_names[p] : NULL;
}

enum pull_policy pull_policy_from_string(const char *s)
{
    for (int i = 0; s && i < _PULL_POLICY_MAX; i++)
        if (!strcmp(s, pull_names[i]))
            return i;
    return _PULL_POLICY_INVALID;
}

const char *restart_policy_to_string(enum restart_policy p)
{
    return p >= 0 && p < _RESTART_POLICY_MAX ? restart_names[p] : NULL;
}

enum restart_policy restart_policy_from_string(const char *s)
{
    for (int i = 0; s && i < _RESTART_POLICY_MAX; i++)
        if (!strcmp(s, restart_names[i]))
            return i;
    return _RESTART_POLICY_INVALID;
}

static bool label_ok(const char *s, size_t len)
{
    if (len == 0 || len > 63)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (c != '-' || i == 0 || i == len - 1))
            return false;
    }
    return true;
}

bool manifest_is_dns1123_label(const char *s)
{
    return s && label_ok(s, strlen(s));
}

bool manifest_is_dns1123_subdomain(const char *s)
{
    if (!s || !*s || strlen(s) > 253)
        return false;
    const char *p = s;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t) (dot - p) : strlen(p);
        if (!label_ok(p, len))
            return false;
        if (!dot)
            return true;
        p = dot + 1;
    }
}

static void diag_clear(struct manifest_diag *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].file);
        free(d[i].path);
        free(d[i].message);
    }
    free(d);
}

struct manifest_result *manifest_result_free(struct manifest_result *r)
{
    if (!r)
        return NULL;
    for (size_t i = 0; i < r->n_docs; i++) {
        free(r->docs[i].api_version);
        free(r->docs[i].kind);
        pod_free(r->docs[i].pod);
    }
    free(r->docs);
    diag_clear(r->errors, r->n_errors);
    diag_clear(r->warnings, r->n_warnings);
    free(r);
    return NULL;
}

char *manifest_diag_format(const struct manifest_diag *d)
{
    char loc[64] = "";
    if (d->line > 0)
        snprintf(loc, sizeof(loc), ":%d:%d", d->line, d->column);
    return xasprintf("%s%s: %s%s%s", d->file ? d->file : "<input>", loc, d->path ? d->path : "",
                     d->path && *d->path ? ": " : "", d->message);
}

/* Line and column (1-based) of a byte offset, for diagnostics about raw input. */
static void offset_position(const char *buf, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char) buf[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

static void raw_error(struct decoder *d, int line, int col, const char *msg)
{
    struct ynode at = {.line = line, .column = col};
    decoder_error(d, line ? &at : NULL, NULL, "%s", msg);
}

static bool check_input(struct decoder *d, const char *buf, size_t len)
{
    if (len > MANIFEST_MAX_BYTES) {
        char msg[128];
        snprintf(msg, sizeof(msg), "input is %zu bytes, more than the limit of %u bytes (3 MiB)",
                 len, MANIFEST_MAX_BYTES);
        raw_error(d, 0, 0, msg);
        return false;
    }
    long bad = utf8_first_invalid(buf, len);
    if (bad >= 0) {
        int line, col;
        offset_position(buf, (size_t) bad, &line, &col);
        raw_error(d, line, col, "input is not valid UTF-8");
        return false;
    }
    if (memchr(buf, '\0', len)) {
        raw_error(d, 0, 0, "input contains a NUL byte");
        return false;
    }
    return true;
}

static const struct ynode *root_value(const struct ynode *root, const char *key)
{
    for (size_t i = 0; i < ynode_pairs(root); i++)
        if (ynode_key(root, i)->kind == YNODE_SCALAR && !strcmp(ynode_key(root, i)->value, key))
            return ynode_val(root, i);
    return NULL;
}

static void decode_document(struct decoder *d, const struct ydoc *doc)
{
    const struct ynode *root = doc->root;
    if (!expect_kind(d, root, YNODE_MAPPING))
        return;
    char *api = NULL, *kind = NULL;
    const struct ynode *a = root_value(root, "apiVersion"), *k = root_value(root, "kind");
    size_t before = d->result->n_errors;
    if (!a || ynode_is_null(a))
        decoder_error(d, root, "apiVersion", "Required value: apiVersion not set");
    else
        decode_string(d, a, &api);
    if (!k || ynode_is_null(k))
        decoder_error(d, root, "kind", "Required value: kind not set");
    else
        decode_string(d, k, &kind);
    if (kind && strcmp(kind, "Pod") != 0)
        decoder_error(d, k, "kind",
                      "no matches for kind \"%s\" in version \"%s\": orc supports kind Pod "
                      "(apiVersion v1)",
                      kind, api ? api : "");
    else if (kind && api && strcmp(api, "v1") != 0)
        decoder_error(d, a, "apiVersion",
                      "no matches for kind \"Pod\" in version \"%s\": use apiVersion v1", api);
    if (d->result->n_errors > before) {
        free(api);
        free(kind);
        return;
    }
    struct manifest_result *r = d->result;
    r->docs = xrealloc(r->docs, sizeof(*r->docs) * (r->n_docs + 1));
    struct manifest_doc *md = &r->docs[r->n_docs++];
    md->api_version = api;
    md->kind = kind;
    md->line = doc->line;
    md->pod = decode_pod(d, root);
}

int manifest_parse(const char *buf, size_t len, const char *file, struct manifest_result **ret)
{
    struct manifest_result *r = xzalloc(sizeof(*r));
    struct decoder d = {.file = file ? file : "<input>", .result = r};
    *ret = r;
    if (!check_input(&d, buf, len))
        return -EINVAL;
    struct ystream s;
    int line = 0, col = 0;
    char *msg = NULL;
    if (ystream_parse(buf, len, &s, &line, &col, &msg) < 0) {
        raw_error(&d, line, col, msg);
        free(msg);
        return -EINVAL;
    }
    for (size_t i = 0; i < s.n_docs; i++)
        if (s.docs[i].root && !ynode_is_null(s.docs[i].root)) {
            decode_document(&d, &s.docs[i]);
            decoder_end_document(&d);
        }
    ystream_free(&s);
    if (r->n_errors == 0 && r->n_docs == 0) {
        raw_error(&d, 0, 0, "no objects passed to apply");
        return -EINVAL;
    }
    return r->n_errors ? -EINVAL : 0;
}

static void free_container(struct container *c)
{
    free(c->name);
    free(c->image);
    strv_free(c->command);
    strv_free(c->args);
    for (size_t i = 0; i < c->n_env; i++) {
        free(c->env[i].name);
        free(c->env[i].value);
    }
    free(c->env);
    free(c->working_dir);
    for (size_t i = 0; i < c->n_ports; i++) {
        free(c->ports[i].name);
        free(c->ports[i].protocol);
        free(c->ports[i].host_ip);
    }
    free(c->ports);
}

struct pod *pod_free(struct pod *pod)
{
    if (!pod)
        return NULL;
    free(pod->name);
    free(pod->namespace);
    json_decref(pod->labels);
    json_decref(pod->annotations);
    for (size_t i = 0; i < pod->n_containers; i++)
        free_container(&pod->containers[i]);
    free(pod->containers);
    free(pod);
    return NULL;
}

const struct container *pod_find_container(const struct pod *pod, const char *name)
{
    for (size_t i = 0; pod && name && i < pod->n_containers; i++)
        if (pod->containers[i].name && !strcmp(pod->containers[i].name, name))
            return &pod->containers[i];
    return NULL;
}
