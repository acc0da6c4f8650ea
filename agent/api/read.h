/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Kubernetes reads (list and get) of any kind: the request's selectors, paging, resourceVersion
 * and Accept header, and the replies in the form asked for (the object or list, a Table,
 * PartialObjectMetadata[List]). A kind's handlers fetch its objects from the store and hand
 * them here; ARCHITECTURE.md lists what is served.
 */
#include <stdbool.h>
#include <stddef.h>

#include "api/internal.h"
#include "api/list-options.h"
#include "api/negotiate.h"
#include "api/table.h"
#include "selector.h"
#include "text-buf.h"

struct api_read {
    struct label_selector *labels; /* ?labelSelector= (lists) */
    struct field_selector *fields; /* ?fieldSelector= (lists) */
    struct list_options opts;      /* limit, continue, resourceVersion (lists) */
    struct api_media media;        /* from Accept */
    enum table_include include;    /* ?includeObject= (Tables) */
};

/*
 * Reads what a list (list) or get of kind asks for. Errors carry the status to answer
 * (api_reply_error): EBADMSG 400 (a bad selector, limit, continue or includeObject), EINVAL
 * 422 (ListOptions), ENOTSUP 406 (nothing in Accept is served, or a form that does not fit).
 */
int api_read_parse(struct request *r, const char *kind, bool list, struct api_read *ret,
                   orc_error_t *err);
void api_read_done(struct api_read *rd);

/* Whether the whole list as the store has it answers the read: no selector, no continue, no
 * limit, the list itself asked for (the store's text can then be sent as it is). */
bool api_read_whole(const struct api_read *rd);
/* Replies with the plain list of kind around items_text (the JSON text of an array of its
 * objects, len bytes; taken) read at the store's resourceVersion rv: the fast path of
 * api_read_whole(). */
enum MHD_Result api_reply_list_text(struct request *r, const struct api_read *rd, const char *kind,
                                    char *items_text, size_t len, long long rv);

/* Whether a selector is given. */
bool api_read_selects(const struct api_read *rd);
/* A list's metadata: the resourceVersion it reports (a continued list's first page's), and
 * when remaining items follow the last one shown (namespace last_ns, name last_name) the
 * continue token and, without selectors, remainingItemCount. */
json_t *api_list_meta(const struct api_read *rd, long long rv, const char *last_ns,
                      const char *last_name, size_t remaining);
/* The answer to a resourceVersion the store cannot give (list_options_check()'s error):
 * 504 with the cause clients look for, or 410 Expired. */
enum MHD_Result api_reply_rv_error(struct request *r, orc_error_t *err);
/* The Table options of rd, now. */
struct table_options api_table_options(const struct api_read *rd);
/* Replies with the list of kind around the items' text ("{...},{...}") and meta (taken). */
enum MHD_Result api_reply_list_items(struct request *r, const char *kind, json_t *meta,
                                     struct text_buf *items);
/* Replies with a Table of kind around rows' text ("{...},{...}") and meta (taken). */
enum MHD_Result api_reply_table_text(struct request *r, const struct api_read *rd, const char *kind,
                                     json_t *meta, struct text_buf *rows);

/* Replies with items (kind's objects in the order of namespace and name; taken) read at the
 * store's resourceVersion rv, as rd asks: selected, paged, in its form. */
enum MHD_Result api_reply_list(struct request *r, const struct api_read *rd, const char *kind,
                               json_t *items, long long rv);
/* Replies with one object (taken) in the form rd asks for. */
enum MHD_Result api_reply_object(struct request *r, const struct api_read *rd, const char *kind,
                                 json_t *obj);
