/* SPDX-License-Identifier: Apache-2.0 */
/* Lists and gets of any kind: what the request asks for, and the reply in its form. */
#include "api/read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/resources.h"
#include "cleanup.h"
#include "json-util.h"
#include "text-buf.h"
#include "time-util.h"
#include "xalloc.h"

/* The selectors' errors are the request's: 400 BadRequest with their message. */
static int parse_selectors(struct request *r, const char *kind, struct api_read *rd,
                           orc_error_t *err)
{
    orc_error_t e = NULL;
    if (label_selector_parse(api_query(r, "labelSelector"), &rd->labels, &e) < 0 ||
        field_selector_parse(api_query(r, "fieldSelector"), kind, &rd->fields, &e) < 0) {
        int ret = orc_error_make_as(err, EBADMSG, "%s", orc_error_message(e));
        orc_error_release(&e);
        return ret;
    }
    return 0;
}

static int parse_form(struct request *r, bool list, struct api_read *rd, orc_error_t *err)
{
    const char *accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");
    if (api_negotiate(accept, &rd->media) < 0)
        return orc_error_make_as(err, ENOTSUP,
                                 "only the following media types are accepted: "
                                 "application/json, application/json;as=Table;v=v1;"
                                 "g=meta.k8s.io, application/json;as=Table;v=v1beta1;"
                                 "g=meta.k8s.io");
    if (list && rd->media.as == API_AS_PARTIAL)
        return orc_error_make_as(err, ENOTSUP,
                                 "you requested PartialObjectMetadata, but the "
                                 "requested object is a list");
    if (!list && rd->media.as == API_AS_PARTIAL_LIST)
        return orc_error_make_as(err, ENOTSUP,
                                 "you requested PartialObjectMetadataList, but "
                                 "the requested object is not a list");
    const char *include = api_query(r, "includeObject");
    rd->include = table_include_from_string(include);
    if (rd->media.as == API_AS_TABLE && rd->include < 0)
        return orc_error_make_as(err, EBADMSG, "unrecognized includeObject value: \"%s\"", include);
    return 0;
}

int api_read_parse(struct request *r, const char *kind, bool list, struct api_read *ret,
                   orc_error_t *err)
{
    struct api_read rd = {0};
    int k = list ? parse_selectors(r, kind, &rd, err) : 0;
    if (k >= 0 && list)
        k = list_options_parse(api_query(r, "limit"), api_query(r, "continue"),
                               api_query(r, "resourceVersion"),
                               api_query(r, "resourceVersionMatch"), &rd.opts, err);
    if (k >= 0)
        k = parse_form(r, list, &rd, err);
    if (k < 0) {
        api_read_done(&rd);
        return k;
    }
    *ret = rd;
    return 0;
}

void api_read_done(struct api_read *rd)
{
    rd->labels = label_selector_free(rd->labels);
    rd->fields = field_selector_free(rd->fields);
    list_options_done(&rd->opts);
}

bool api_read_whole(const struct api_read *rd)
{
    return label_selector_empty(rd->labels) && field_selector_empty(rd->fields) &&
           !rd->opts.after_name && rd->opts.limit <= 0 && rd->media.as == API_AS_OBJECT;
}

/* "v1", "apps/v1": the resource's group version */
static char *group_version(const struct request *r)
{
    if (!r->res || !*r->res->group)
        return xstrdup(r->res ? r->res->version : "v1");
    return xasprintf("%s/%s", r->res->group, r->res->version);
}

enum MHD_Result api_reply_list_items(struct request *r, const char *kind, json_t *meta,
                                     struct text_buf *items)
{
    json_auto_t *m = meta;
    _cleanup_free_ char *gv = group_version(r), *meta_text = orc_json_dump(m);
    struct text_buf out = {0};
    text_buf_printf(&out, "{\"apiVersion\":\"%s\",\"kind\":\"%sList\",\"metadata\":%s,\"items\":[",
                    gv, kind, meta_text);
    text_buf_add(&out, items->data ? items->data : "", items->len);
    text_buf_puts(&out, "]}\n");
    size_t len = 0;
    char *text = text_buf_steal(&out, &len);
    return api_reply_json_text(r, 200, text, len);
}

bool api_read_selects(const struct api_read *rd)
{
    return !label_selector_empty(rd->labels) || !field_selector_empty(rd->fields);
}

json_t *api_list_meta(const struct api_read *rd, long long rv, const char *last_ns,
                      const char *last_name, size_t remaining)
{
    long long list_rv = list_options_rv(&rd->opts, rv);
    json_t *meta = json_pack("{s:o}", "resourceVersion", json_sprintf("%lld", list_rv));
    if (remaining && last_name) {
        _cleanup_free_ char *token = list_continue_token(list_rv, last_ns, last_name);
        json_object_set_new(meta, "continue", json_string(token));
        if (!api_read_selects(rd))
            json_object_set_new(meta, "remainingItemCount", json_integer((json_int_t) remaining));
    }
    return meta;
}

/* The page of items rd asks for, and its list metadata in *ret_meta. */
static json_t *page_of(const struct api_read *rd, const json_t *items, long long rv,
                       json_t **ret_meta)
{
    json_t *page = json_array();
    const json_t *last = NULL, *it;
    size_t i, remaining = 0;
    json_array_foreach(items, i, it) {
        const json_t *m = json_object_get(it, "metadata");
        const char *ns = orc_json_str(m, "namespace"), *name = orc_json_str(m, "name") ?: "";
        if (!list_options_after(&rd->opts, ns, name) ||
            !label_selector_matches_object(rd->labels, it) ||
            !field_selector_matches(rd->fields, it))
            continue;
        if (rd->opts.limit > 0 && json_array_size(page) >= (size_t) rd->opts.limit) {
            remaining++;
            if (api_read_selects(rd))
                break; /* one more is enough to know there is more */
            continue;
        }
        json_array_append(page, (json_t *) it);
        last = it;
    }
    const json_t *m = json_object_get(last, "metadata");
    *ret_meta =
        api_list_meta(rd, rv, orc_json_str(m, "namespace"), orc_json_str(m, "name"), remaining);
    return page;
}

static json_t *partial(const json_t *obj, const char *api_version)
{
    const json_t *meta = json_object_get(obj, "metadata");
    return json_pack("{s:s,s:s,s:o}", "kind", "PartialObjectMetadata", "apiVersion", api_version,
                     "metadata", meta ? json_incref((json_t *) meta) : json_object());
}

/* The list's resourceVersion must be one the store can answer: 504 (with the cause clients
 * look for) or 410 when not. */
enum MHD_Result api_reply_rv_error(struct request *r, orc_error_t *err)
{
    if ((*err)->status != ETIMEDOUT)
        return api_reply_error(r, err, NULL, NULL);
    json_t *details =
        json_pack("{s:[{s:s,s:s}],s:i}", "causes", "reason", "ResourceVersionTooLarge", "message",
                  "Too large resource version", "retryAfterSeconds", 1);
    enum MHD_Result ret = api_reply_status(r, 504, "Timeout", (*err)->msg, details);
    orc_error_release(err);
    return ret;
}

enum MHD_Result api_reply_list_text(struct request *r, const struct api_read *rd, const char *kind,
                                    char *items_text, size_t len, long long rv)
{
    orc_error_t err = NULL;
    _cleanup_free_ char *items = items_text;
    if (list_options_check(&rd->opts, rv, &err) < 0)
        return api_reply_rv_error(r, &err);
    /* the store's "[...]": the items within the brackets */
    struct text_buf inner = {.data = len >= 2 ? items + 1 : NULL, .len = len >= 2 ? len - 2 : 0};
    return api_reply_list_items(r, kind, api_list_meta(rd, rv, NULL, NULL, 0), &inner);
}

enum MHD_Result api_reply_list(struct request *r, const struct api_read *rd, const char *kind,
                               json_t *items, long long rv)
{
    json_auto_t *all = items;
    orc_error_t err = NULL;
    if (list_options_check(&rd->opts, rv, &err) < 0)
        return api_reply_rv_error(r, &err);
    json_t *meta = NULL;
    json_t *page = page_of(rd, all, rv, &meta);
    if (rd->media.as == API_AS_TABLE) {
        struct table_options o = api_table_options(rd);
        json_t *t = table_build(kind, page, &o);
        json_decref(page);
        json_object_set_new(t, "metadata", meta);
        return api_reply_json(r, 200, t);
    }
    if (rd->media.as == API_AS_PARTIAL_LIST) {
        json_t *partials = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(page, i, it)
            json_array_append_new(partials, partial(it, rd->media.api_version));
        json_decref(page);
        return api_reply_json(r, 200,
                              json_pack("{s:s,s:s,s:o,s:o}", "kind", "PartialObjectMetadataList",
                                        "apiVersion", rd->media.api_version, "metadata", meta,
                                        "items", partials));
    }
    _cleanup_free_ char *gv = group_version(r);
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:o,s:o,s:o}", "apiVersion", gv, "kind",
                                    json_sprintf("%sList", kind), "metadata", meta, "items", page));
}

enum MHD_Result api_reply_table_text(struct request *r, const struct api_read *rd, const char *kind,
                                     json_t *meta, struct text_buf *rows)
{
    json_auto_t *m = meta, *columns = table_columns(kind);
    _cleanup_free_ char *meta_text = orc_json_dump(m), *columns_text = orc_json_dump(columns);
    struct text_buf out = {0};
    text_buf_printf(&out,
                    "{\"kind\":\"Table\",\"apiVersion\":\"%s\",\"metadata\":%s,"
                    "\"columnDefinitions\":%s,\"rows\":[",
                    rd->media.api_version, meta_text, columns_text);
    text_buf_add(&out, rows->data ? rows->data : "", rows->len);
    text_buf_puts(&out, "]}\n");
    size_t len = 0;
    char *text = text_buf_steal(&out, &len);
    return api_reply_json_text(r, 200, text, len);
}

struct table_options api_table_options(const struct api_read *rd)
{
    return (struct table_options){rd->media.api_version, rd->include, orc_time_now_ns()};
}

enum MHD_Result api_reply_object(struct request *r, const struct api_read *rd, const char *kind,
                                 json_t *obj)
{
    if (rd->media.as == API_AS_PARTIAL) {
        json_t *p = partial(obj, rd->media.api_version);
        json_decref(obj);
        return api_reply_json(r, 200, p);
    }
    if (rd->media.as != API_AS_TABLE)
        return api_reply_json(r, 200, obj);
    json_auto_t *items = json_pack("[o]", obj);
    struct table_options o = api_table_options(rd);
    json_t *t = table_build(kind, items, &o);
    const char *rv = orc_json_str(json_object_get(obj, "metadata"), "resourceVersion");
    if (rv)
        json_object_set_new(json_object_get(t, "metadata"), "resourceVersion", json_string(rv));
    return api_reply_json(r, 200, t);
}
