/* SPDX-License-Identifier: Apache-2.0 */
/* Events, in core/v1 and in events.k8s.io/v1 (the same rows). */
#include <string.h>

#include "api/event-object.h"
#include "api/internal.h"
#include "api/read.h"
#include "api/resources.h"
#include "cleanup.h"
#include "store/store.h"

static bool events_v1(const struct request *r)
{
    return r->res && !strcmp(r->res->group, "events.k8s.io");
}

/* events.k8s.io/v1's shape of each core/v1 Event (items kept). */
static void to_events_v1(json_t *items)
{
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
        json_array_set_new(items, i, event_object_events_v1(e));
}

/* Lists events: the store's rows (a namespace and an object's name narrow the read), then
 * the request's selectors, pages and form (read.c). Selectors and Tables see core/v1 Events,
 * whose fields they name; events.k8s.io/v1's lists get its shape. */
enum MHD_Result api_events_list(struct request *r)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, "Event", true, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    const char *ns = r->path.namespace ?: field_selector_exact(rd.fields, "metadata.namespace");
    const char *name = field_selector_exact(rd.fields, "involvedObject.name");
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *items = NULL;
    int64_t rv = 0;
    if (api_open_store(r, &s, &err) < 0 ||
        store_list_read(s, "Event", ns, name, &items, &rv, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    if (events_v1(r) && rd.media.as != API_AS_TABLE) {
        /* select on the core/v1 fields first, then convert what is shown */
        json_t *picked = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e)
            if (label_selector_matches_object(rd.labels, e) && field_selector_matches(rd.fields, e))
                json_array_append(picked, e);
        json_decref(items);
        to_events_v1(picked);
        items = picked;
        rd.labels = label_selector_free(rd.labels);
        rd.fields = field_selector_free(rd.fields);
    }
    return api_reply_list(r, &rd, "Event", items, rv);
}

enum MHD_Result api_event_get(struct request *r)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, "Event", false, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *e = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_event_get(s, r->path.namespace, r->path.name, &e, &err) < 0)
        return api_reply_error(r, &err, events_v1(r) ? "events.events.k8s.io" : "events",
                               r->path.name);
    if (events_v1(r) && rd.media.as != API_AS_TABLE) {
        json_t *converted = event_object_events_v1(e);
        json_decref(e);
        e = converted;
    }
    return api_reply_object(r, &rd, "Event", e);
}
