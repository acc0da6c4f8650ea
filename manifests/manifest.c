/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "manifest.h"
#include "objects.h"
#include "security-context.h"
#include "strv.h"
#include "xalloc.h"

static const char *const pull_names[_PULL_POLICY_MAX] = {"Always", "IfNotPresent", "Never"};
static const char *const restart_names[_RESTART_POLICY_MAX] = {"Always", "OnFailure", "Never"};
static const char *const termination_names[_TERMINATION_MESSAGE_POLICY_MAX] = {
    "File", "FallbackToLogsOnError"};

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

const char *termination_message_policy_to_string(enum termination_message_policy p)
{
    return p >= 0 && p < _TERMINATION_MESSAGE_POLICY_MAX ? termination_names[p] : NULL;
}

enum termination_message_policy termination_message_policy_from_string(const char *s)
{
    for (int i = 0; s && i < _TERMINATION_MESSAGE_POLICY_MAX; i++)
        if (!strcmp(s, termination_names[i]))
            return i;
    return _TERMINATION_MESSAGE_POLICY_INVALID;
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

bool manifest_is_env_var_name(const char *s)
{
    if (!s || !*s || (*s >= '0' && *s <= '9') || !strcmp(s, ".") || !strncmp(s, "..", 2))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
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

bool manifest_is_label_name(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && ((i == 0 || i == len - 1) || (c != '-' && c != '_' && c != '.')))
            return false;
    }
    return true;
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
        json_decref(r->docs[i].object);
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
    int doc_line = 0;
    _cleanup_free_ char *too_large = NULL;
    if (manifest_oversize(buf, len, &doc_line, &too_large)) {
        raw_error(d, doc_line, doc_line ? 1 : 0, too_large);
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

/* Documents of kinds orc does not serve yet, by kind and apiVersion, for one line about all. */
#define UNSERVED_MAX_GROUPS 20
#define UNSERVED_MAX_LINES 5

struct unserved_group {
    char *kind, *api;
    int lines[UNSERVED_MAX_LINES];
    size_t n;
};

struct unserved {
    struct unserved_group groups[UNSERVED_MAX_GROUPS];
    size_t n_groups, n_docs, n_other_groups;
    struct ynode first; /* where the first one names its kind */
};

static void unserved_add(struct unserved *u, const char *kind, const char *api,
                         const struct ynode *at)
{
    if (u->n_docs++ == 0)
        u->first = (struct ynode){.line = at->line, .column = at->column};
    size_t i = 0;
    while (i < u->n_groups && (strcmp(u->groups[i].kind, kind) || strcmp(u->groups[i].api, api)))
        i++;
    if (i == UNSERVED_MAX_GROUPS) {
        u->n_other_groups++; /* counted per document: "and N more" */
        return;
    }
    struct unserved_group *g = &u->groups[i];
    if (i == u->n_groups) {
        *g = (struct unserved_group){.kind = xstrdup(kind), .api = xstrdup(api)};
        u->n_groups++;
    }
    if (g->n < UNSERVED_MAX_LINES)
        g->lines[g->n] = at->line;
    g->n++;
}

/* "Deployment (apps/v1) at line 4; Service (v1) at lines 20, 31" */
static char *unserved_list(const struct unserved *u)
{
    char *text = xstrdup("");
    for (size_t i = 0; i < u->n_groups; i++) {
        const struct unserved_group *g = &u->groups[i];
        char *t = xasprintf("%s%s%s (%s) at line%s", text, i ? "; " : "", g->kind, g->api,
                            g->n > 1 ? "s" : "");
        for (size_t k = 0; k < g->n && k < UNSERVED_MAX_LINES; k++) {
            char *l = xasprintf("%s%s %d", t, k ? "," : "", g->lines[k]);
            free(t);
            t = l;
        }
        if (g->n > UNSERVED_MAX_LINES) {
            char *l = xasprintf("%s and %zu more", t, g->n - UNSERVED_MAX_LINES);
            free(t);
            t = l;
        }
        free(text);
        text = t;
    }
    if (u->n_other_groups) {
        char *t = xasprintf("%s; %zu documents of other kinds", text, u->n_other_groups);
        free(text);
        text = t;
    }
    return text;
}

/* One line about every document of a kind orc does not serve: an error, or with
 * MANIFEST_SKIP_UNSUPPORTED a warning that they were skipped. */
static void unserved_report(struct decoder *d, struct unserved *u, bool skip)
{
    if (u->n_docs == 0)
        return;
    _cleanup_free_ char *list = unserved_list(u);
    if (skip)
        decoder_warn(d, &u->first, "kind", "kinds orc does not serve yet, skipped: %s", list);
    else
        decoder_error(d, &u->first, "kind",
                      "kinds orc does not serve yet: %s (orc serves Pod, ConfigMap, Secret, "
                      "PersistentVolumeClaim, PersistentVolume and Namespace, apiVersion v1; "
                      "nothing was applied: --skip-unsupported applies the rest)",
                      list);
}

static void unserved_clear(struct unserved *u)
{
    for (size_t i = 0; i < u->n_groups; i++) {
        free(u->groups[i].kind);
        free(u->groups[i].api);
    }
}

static void decode_object(struct decoder *d, const struct ynode *root, int line,
                          struct unserved *u);

/* kind: List (v1, as kubectl get -o yaml writes it): each item as if it were a document of
 * its own, its diagnostics under items[N]. */
static void decode_list(struct decoder *d, const struct ynode *root, struct unserved *u)
{
    const struct ynode *items = root_value(root, "items");
    for (size_t i = 0; i < ynode_pairs(root); i++) {
        const struct ynode *k = ynode_key(root, i);
        if (k->kind == YNODE_SCALAR && strcmp(k->value, "apiVersion") && strcmp(k->value, "kind") &&
            strcmp(k->value, "items") && strcmp(k->value, "metadata"))
            decoder_unknown_field(d, k);
    }
    if (!items || ynode_is_null(items))
        return;
    size_t saved = decoder_push_key(d, "items");
    if (expect_kind(d, items, YNODE_SEQUENCE))
        for (size_t i = 0; i < items->n_items; i++) {
            size_t at = decoder_push_index(d, i);
            decode_object(d, items->items[i], items->items[i]->line, u);
            decoder_pop(d, at);
        }
    decoder_pop(d, saved);
}

static void decode_object(struct decoder *d, const struct ynode *root, int line, struct unserved *u)
{
    if (!expect_kind(d, root, YNODE_MAPPING))
        return;
    _cleanup_free_ char *api = NULL, *kind = NULL;
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
    if (d->result->n_errors > before || !api || !kind) /* !api: errors past the cap */
        return;
    bool object = manifest_is_object_kind(kind);
    if (!strcmp(kind, "List") && !strcmp(api, "v1")) {
        decode_list(d, root, u);
        return;
    }
    if ((strcmp(kind, "Pod") != 0 && !object) || strcmp(api, "v1") != 0) {
        unserved_add(u, kind, api, k);
        return;
    }
    struct manifest_result *r = d->result;
    r->docs = xrealloc(r->docs, sizeof(*r->docs) * (r->n_docs + 1));
    struct manifest_doc *md = &r->docs[r->n_docs++];
    *md = (struct manifest_doc){0};
    md->api_version = TAKE_PTR(api);
    md->kind = TAKE_PTR(kind);
    md->line = line;
    if (!object)
        md->pod = decode_pod(d, root);
    else if (!strcmp(md->kind, "ConfigMap"))
        md->object = decode_configmap(d, root);
    else if (!strcmp(md->kind, "Secret"))
        md->object = decode_secret(d, root);
    else if (!strcmp(md->kind, "PersistentVolumeClaim"))
        md->object = decode_persistent_volume_claim(d, root);
    else if (!strcmp(md->kind, "PersistentVolume"))
        md->object = decode_persistent_volume(d, root);
    else
        md->object = decode_namespace(d, root);
}

static void decode_document(struct decoder *d, const struct ydoc *doc, struct unserved *u)
{
    decode_object(d, doc->root, doc->line, u);
}

static bool diag_before(const struct manifest_diag *a, const struct manifest_diag *b)
{
    return a->line < b->line || (a->line == b->line && a->column < b->column);
}

/* Diagnostics in the order of their positions (line, then column), whatever order the
 * decoder found them in; stable, so that those at one position keep theirs. At most
 * MANIFEST_MAX_DIAGS: an insertion sort. */
static void diags_sort(struct manifest_diag *d, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct manifest_diag x = d[i];
        size_t j = i;
        for (; j > 0 && diag_before(&x, &d[j - 1]); j--)
            d[j] = d[j - 1];
        d[j] = x;
    }
}

static int parse_stream(const char *buf, size_t len, struct decoder *d,
                        enum manifest_parse_flags flags)
{
    struct manifest_result *r = d->result;
    if (!check_input(d, buf, len))
        return -EINVAL;
    struct ystream s;
    int line = 0, col = 0;
    char *msg = NULL;
    if (ystream_parse(buf, len, &s, &line, &col, &msg) < 0) {
        raw_error(d, line, col, msg);
        free(msg);
        return -EINVAL;
    }
    struct unserved unserved = {0};
    for (size_t i = 0; i < s.n_docs; i++)
        if (s.docs[i].root && !ynode_is_null(s.docs[i].root)) {
            decode_document(d, &s.docs[i], &unserved);
            decoder_end_document(d);
        }
    ystream_free(&s);
    unserved_report(d, &unserved, flags & MANIFEST_SKIP_UNSUPPORTED);
    unserved_clear(&unserved);
    if (r->n_errors == 0 && r->n_docs == 0 && unserved.n_docs == 0) {
        raw_error(d, 0, 0, "no objects passed to apply");
        return -EINVAL;
    }
    return r->n_errors ? -EINVAL : 0;
}

int manifest_parse_with(const char *buf, size_t len, const char *file, const char *ns,
                        enum manifest_parse_flags flags, struct manifest_result **ret)
{
    struct manifest_result *r = xzalloc(sizeof(*r));
    struct decoder d = {.file = file ? file : "<input>", .result = r, .ns = ns};
    *ret = r;
    int rc = parse_stream(buf, len, &d, flags);
    diags_sort(r->errors, r->n_errors);
    diags_sort(r->warnings, r->n_warnings);
    return rc;
}

int manifest_parse(const char *buf, size_t len, const char *file, struct manifest_result **ret)
{
    return manifest_parse_with(buf, len, file, NULL, 0, ret);
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
        json_decref(c->env[i].value_from);
    }
    free(c->env);
    json_decref(c->env_from);
    free(c->working_dir);
    free(c->termination_message_path);
    for (size_t i = 0; i < c->n_ports; i++) {
        free(c->ports[i].name);
        free(c->ports[i].protocol);
        free(c->ports[i].host_ip);
    }
    free(c->ports);
    for (size_t i = 0; i < c->n_mounts; i++)
        volume_mount_clear(&c->mounts[i]);
    free(c->mounts);
    security_context_free(c->security);
}

struct pod *pod_free(struct pod *pod)
{
    if (!pod)
        return NULL;
    free(pod->name);
    free(pod->namespace);
    free(pod->service_account_name);
    free(pod->node_name);
    json_decref(pod->labels);
    json_decref(pod->annotations);
    for (size_t i = 0; i < pod->n_containers; i++)
        free_container(&pod->containers[i]);
    for (size_t i = 0; i < pod->n_volumes; i++)
        volume_clear(&pod->volumes[i]);
    free(pod->volumes);
    free(pod->containers);
    pod_host_clear(&pod->host);
    security_context_free(pod->security);
    strv_free(pod->image_pull_secrets);
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
