/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

/* A core/v1 Event in the shape of events.k8s.io/v1, as the API server converts one:
 * involvedObject is regarding, message note, source deprecatedSource, count and the first and
 * last timestamps deprecatedCount, deprecatedFirstTimestamp and deprecatedLastTimestamp,
 * reportingComponent reportingController. Pure; a new object. */
json_t *event_object_events_v1(const json_t *core);
