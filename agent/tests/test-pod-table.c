/* SPDX-License-Identifier: Apache-2.0 */
/* Pod Tables from stored texts, rows kept between listings: the same rows as table_build()'s,
 * and a changed text gives a new row. */
#include <stdlib.h>
#include <string.h>

#include "api/pod-table.h"
#include "json-util.h"
#include "tap.h"
#include "time-util.h"
#include "xalloc.h"

#define NOW (1700000000LL * NSEC_PER_SEC) /* 2023-11-14T22:13:20Z */

static struct store_pod_text text_of(const char *uid, const char *name, const char *phase,
                                     int restarts)
{
    char *text = xasprintf(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"creationTimestamp\":"
        "\"2023-11-14T22:03:20Z\",\"labels\":{\"app\":\"%s\"},\"name\":\"%s\","
        "\"namespace\":\"default\",\"uid\":\"%s\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},"
        "\"status\":{\"phase\":\"%s\",\"podIP\":\"10.0.2.100\",\"containerStatuses\":[{"
        "\"name\":\"c\",\"ready\":true,\"restartCount\":%d,\"state\":{\"running\":{}},"
        "\"lastState\":{\"terminated\":{\"finishedAt\":\"2023-11-14T22:12:20Z\"}}}]}}",
        strcmp(name, "c") ? "web" : "batch", name, uid, phase, restarts);
    return (struct store_pod_text){xstrdup(uid), xstrdup("default"), xstrdup(name), text,
                                   strlen(text)};
}

/* The rows pod_table_rows() gives, as JSON */
static json_t *rows_of(struct pod_table *t, const struct store_pod_text *pods, size_t n,
                       const struct table_options *opt)
{
    struct text_buf b = {0};
    size_t idx[8];
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    text_buf_puts(&b, "[");
    pod_table_rows(t, pods, idx, n, opt, &b);
    text_buf_puts(&b, "]");
    json_t *rows = json_loadb(b.data, b.len, 0, NULL);
    text_buf_done(&b);
    return rows;
}

/* The rows table_build() gives of the same pods */
static json_t *built_rows(const struct store_pod_text *pods, size_t n,
                          const struct table_options *opt)
{
    json_auto_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_loadb(pods[i].text, pods[i].len, 0, NULL));
    json_auto_t *t = table_build("Pod", items, opt);
    return json_incref(json_object_get(t, "rows"));
}

/* the indices pod_table_select() picks for LABELS, LIMIT and CONTINUE after NAME */
static char *selected(struct pod_table *t, const struct store_pod_text *pods, size_t n,
                      const char *labels, const char *limit, const char *after,
                      size_t *ret_remaining)
{
    struct api_read rd = {0};
    _cleanup_free_ char *token = after ? list_continue_token(7, "default", after) : NULL;
    if (label_selector_parse(labels, &rd.labels, NULL) < 0 ||
        field_selector_parse(NULL, "Pod", &rd.fields, NULL) < 0 ||
        list_options_parse(limit, token, NULL, NULL, &rd.opts, NULL) < 0)
        abort();
    size_t idx[8], k = pod_table_select(t, pods, n, &rd, idx, ret_remaining);
    api_read_done(&rd);
    struct text_buf b = {0};
    for (size_t i = 0; i < k; i++)
        text_buf_printf(&b, "%s%zu", i ? "," : "", idx[i]);
    return text_buf_steal(&b, NULL);
}

static void selecting(struct pod_table *t, const struct store_pod_text *pods)
{
    size_t remaining = 99;
    char *got = selected(t, pods, 3, "app=web", NULL, NULL, &remaining);
    tap_ok(!strcmp(got, "0,1") && remaining == 0, "app=web: a and b (%s)", got);
    free(got);
    got = selected(t, pods, 3, "app!=web", NULL, NULL, &remaining);
    tap_ok(!strcmp(got, "2") && remaining == 0, "app!=web: c (%s)", got);
    free(got);
    got = selected(t, pods, 3, NULL, "2", NULL, &remaining);
    tap_ok(!strcmp(got, "0,1") && remaining == 1, "limit 2: a, b and one more (%s)", got);
    free(got);
    got = selected(t, pods, 3, NULL, "2", "b", &remaining);
    tap_ok(!strcmp(got, "2") && remaining == 0, "continued after b: c (%s)", got);
    free(got);
    got = selected(t, pods, 3, "app=web", "1", NULL, &remaining);
    tap_ok(!strcmp(got, "0") && remaining == 1, "app=web, limit 1: a, and more (%s)", got);
    free(got);
}

int main(void)
{
    struct store_pod_text pods[3] = {text_of("u1", "a", "Running", 0),
                                     text_of("u2", "b", "Running", 2),
                                     text_of("u3", "c", "Succeeded", 0)};
    struct pod_table *t = pod_table_new();
    static const enum table_include includes[] = {TABLE_INCLUDE_METADATA, TABLE_INCLUDE_OBJECT,
                                                  TABLE_INCLUDE_NONE};
    for (size_t k = 0; k < ELEMENTSOF(includes); k++) {
        struct table_options opt = {"meta.k8s.io/v1", includes[k], NOW};
        for (int round = 0; round < 2; round++) {
            json_auto_t *got = rows_of(t, pods, 3, &opt), *want = built_rows(pods, 3, &opt);
            tap_ok(got && json_equal(got, want),
                   "includeObject %zu, listing %d: table_build's rows", k, round + 1);
        }
    }
    struct table_options opt = {"meta.k8s.io/v1", TABLE_INCLUDE_METADATA, NOW};
    json_auto_t *before = rows_of(t, pods, 3, &opt);
    tap_is_str(
        json_string_value(json_array_get(json_object_get(json_array_get(before, 1), "cells"), 3)),
        "2 (60s ago)", "b's restarts");
    /* the pod's text changed: its row follows */
    free(pods[1].uid), free(pods[1].namespace), free(pods[1].name), free(pods[1].text);
    pods[1] = text_of("u2", "b", "Running", 3);
    json_auto_t *after = rows_of(t, pods, 3, &opt), *want = built_rows(pods, 3, &opt);
    tap_is_str(
        json_string_value(json_array_get(json_object_get(json_array_get(after, 1), "cells"), 3)),
        "3 (60s ago)", "b's new restarts");
    tap_ok(json_equal(after, want), "the rows after a change are table_build's");
    /* a later now ages every row, from the same kept rows */
    opt.now_ns += 3600 * NSEC_PER_SEC;
    json_auto_t *later = rows_of(t, pods + 2, 1, &opt), *later_want = built_rows(pods + 2, 1, &opt);
    tap_ok(
        json_equal(later, later_want), "an hour later: %s",
        json_string_value(json_array_get(json_object_get(json_array_get(later, 0), "cells"), 4)));
    tap_ok(json_object_get(json_array_get(later, 0), "conditions") != NULL,
           "a completed pod's row condition");
    selecting(t, pods);
    pod_table_free(t);
    store_pod_texts_free(xmemdup(pods, sizeof(pods)), 3);
    return tap_done();
}
