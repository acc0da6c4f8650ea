/* SPDX-License-Identifier: Apache-2.0 */
/* core/v1 Events as events.k8s.io/v1 Events (see event-object.h). */
#include "api/event-object.h"

#include <stddef.h>

/* core/v1 field -> events.k8s.io/v1 field */
static const char *const renamed[][2] = {
    {"metadata", "metadata"},
    {"eventTime", "eventTime"},
    {"series", "series"},
    {"reportingComponent", "reportingController"},
    {"reportingInstance", "reportingInstance"},
    {"action", "action"},
    {"reason", "reason"},
    {"involvedObject", "regarding"},
    {"related", "related"},
    {"message", "note"},
    {"type", "type"},
    {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"},
    {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
};

json_t *event_object_events_v1(const json_t *core)
{
    json_t *e = json_pack("{s:s,s:s}", "apiVersion", "events.k8s.io/v1", "kind", "Event");
    for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++) {
        json_t *v = json_object_get(core, renamed[i][0]);
        if (v)
            json_object_set(e, renamed[i][1], v);
    }
    if (!json_object_get(e, "eventTime"))
        json_object_set_new(e, "eventTime", json_null());
    return e;
}
