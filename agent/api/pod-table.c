/* SPDX-License-Identifier: Apache-2.0 */
#include "api/pod-table.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/table-pod.h"
#include "cleanup.h"
#include "json-util.h"
#include "xalloc.h"

#define BUCKETS 1024
/* rows not used by this many listings go once the cache is twice the listing's size */
#define KEEP_LISTINGS 16

struct entry {
    struct entry *next;
    char *uid;
    uint64_t hash; /* of the pod's text, and its length: the row is this text's */
    size_t len;
    json_t *obj; /* the pod, parsed */
    struct pod_row row;
    char *metadata; /* compact JSON */
    uint64_t used;  /* the listing that last used it */
};

struct pod_table {
    pthread_mutex_t lock;
    struct entry *buckets[BUCKETS];
    size_t n;
    uint64_t listings;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
    return h;
}

struct pod_table *pod_table_new(void)
{
    struct pod_table *t = xzalloc(sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

static struct entry *entry_free(struct entry *e)
{
    struct entry *next = e->next;
    free(e->uid);
    free(e->metadata);
    json_decref(e->obj);
    pod_row_done(&e->row);
    free(e);
    return next;
}

struct pod_table *pod_table_free(struct pod_table *t)
{
    if (!t)
        return NULL;
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct entry *e = t->buckets[i]; e;)
            e = entry_free(e);
    pthread_mutex_destroy(&t->lock);
    free(t);
    return NULL;
}

/* The row of the pod's text, computed again when the text changed. */
static void entry_fill(struct entry *e, const struct store_pod_text *pod, uint64_t hash)
{
    json_t *j = json_loadb(pod->text, pod->len, 0, NULL) ?: json_object();
    const json_t *meta = json_object_get(j, "metadata");
    pod_row_done(&e->row);
    free(e->metadata);
    json_decref(e->obj);
    e->obj = j;
    pod_row_init(j, &e->row);
    e->metadata = meta ? orc_json_dump(meta) : xstrdup("{}");
    e->hash = hash;
    e->len = pod->len;
}

static struct entry *lookup(struct pod_table *t, const struct store_pod_text *pod)
{
    uint64_t hash = fnv1a(pod->text, pod->len);
    struct entry **head = &t->buckets[fnv1a(pod->uid, strlen(pod->uid)) % BUCKETS], *e;
    for (e = *head; e && strcmp(e->uid, pod->uid); e = e->next)
        ;
    if (!e) {
        e = xzalloc(sizeof(*e));
        e->uid = xstrdup(pod->uid);
        e->next = *head;
        *head = e;
        t->n++;
        entry_fill(e, pod, hash);
    } else if (e->hash != hash || e->len != pod->len) {
        entry_fill(e, pod, hash);
    }
    e->used = t->listings;
    return e;
}

/* Rows of pods gone (or long unlisted) go once the cache outgrows what is listed. */
static void sweep(struct pod_table *t, size_t listed)
{
    if (t->n <= 2 * listed + 64)
        return;
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct entry **p = &t->buckets[i]; *p;) {
            if ((*p)->used + KEEP_LISTINGS < t->listings) {
                *p = entry_free(*p);
                t->n--;
            } else {
                p = &(*p)->next;
            }
        }
}

static void append_json(struct text_buf *out, const json_t *j)
{
    _cleanup_free_ char *text = orc_json_dump(j);
    text_buf_puts(out, text);
}

static void append_row(struct text_buf *out, const struct entry *e,
                       const struct store_pod_text *pod, const struct table_options *opt)
{
    json_auto_t *cells = json_array();
    pod_row_cells(&e->row, opt->now_ns, cells);
    text_buf_puts(out, "{\"cells\":");
    append_json(out, cells);
    text_buf_puts(out, ",\"object\":");
    if (opt->include == TABLE_INCLUDE_OBJECT)
        text_buf_add(out, pod->text, pod->len);
    else if (opt->include == TABLE_INCLUDE_NONE)
        text_buf_puts(out, "null");
    else
        text_buf_printf(out,
                        "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"%s\","
                        "\"metadata\":%s}",
                        opt->api_version, e->metadata);
    json_auto_t *conditions = pod_row_conditions(&e->row);
    if (conditions) {
        text_buf_puts(out, ",\"conditions\":");
        append_json(out, conditions);
    }
    text_buf_puts(out, "}");
}

size_t pod_table_select(struct pod_table *t, const struct store_pod_text *pods, size_t n,
                        const struct api_read *rd, size_t *ret_idx, size_t *ret_remaining)
{
    size_t k = 0, remaining = 0;
    bool selects = api_read_selects(rd);
    pthread_mutex_lock(&t->lock);
    t->listings++;
    for (size_t i = 0; i < n; i++) {
        if (!list_options_after(&rd->opts, pods[i].namespace, pods[i].name))
            continue;
        if (selects) {
            const struct entry *e = lookup(t, &pods[i]);
            if (!label_selector_matches_object(rd->labels, e->obj) ||
                !field_selector_matches(rd->fields, e->obj))
                continue;
        }
        if (rd->opts.limit > 0 && k >= (size_t) rd->opts.limit) {
            remaining++;
            if (selects)
                break; /* one more is enough to know there is more */
            continue;
        }
        ret_idx[k++] = i;
    }
    sweep(t, n);
    pthread_mutex_unlock(&t->lock);
    *ret_remaining = remaining;
    return k;
}

void pod_table_rows(struct pod_table *t, const struct store_pod_text *pods, const size_t *idx,
                    size_t n, const struct table_options *opt, struct text_buf *out)
{
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < n; i++) {
        if (i)
            text_buf_puts(out, ",");
        append_row(out, lookup(t, &pods[idx[i]]), &pods[idx[i]], opt);
    }
    pthread_mutex_unlock(&t->lock);
}
