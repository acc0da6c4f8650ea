/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Pure presentation helpers (unit-tested): kubectl's columns and formats. */

/* kubectl's STATUS column for a pod (its printPod logic: init containers, waiting and
 * terminated reasons, NotReady, Terminating). Caller frees. */
char *pod_status_text(const json_t *pod);
/* READY: "ready/total", counting running containers that are ready. Caller frees. */
char *pod_ready_text(const json_t *pod);
/* RESTARTS: the total, with " (5s ago)" when a container terminated before. Caller frees. */
char *pod_restarts_text(const json_t *pod, int64_t now_ns);
/* Short age of an RFC3339 timestamp, "<unknown>" when missing. Caller frees. */
char *age_text(const char *rfc3339, int64_t now_ns);

/* describe's times: "Tue, 14 Nov 2023 22:13:20 +0000" in local time (kubectl's RFC1123Z),
 * "<unset>" when missing, the input itself when it does not parse. Caller frees. */
char *describe_time_text(const char *rfc3339);

/* Aligned columns, three spaces apart, as kubectl's tabwriter. */
struct table {
    char ***rows;
    size_t n_rows, n_cols;
    size_t *min_widths; /* optional, n_cols long: the columns are at least this wide, and it is
                         * widened to what was printed (rows printed apart keep their widths) */
};
void table_add(struct table *t, const char *const *cells);
void table_print(struct table *t, FILE *f);
void table_free(struct table *t);

/* -o values of `get`. */
enum output_format {
    OUTPUT_TABLE,
    OUTPUT_WIDE,
    OUTPUT_JSON,
    OUTPUT_YAML,
    OUTPUT_NAME,
    _OUTPUT_FORMAT_MAX,
    _OUTPUT_FORMAT_INVALID = -1,
};
/* NULL means the table; -1 for an unknown format. */
enum output_format output_format_from_string(const char *s);

/* The pods table: NAME READY STATUS RESTARTS AGE, NAMESPACE first with all_ns, and with
 * wide IP NODE NOMINATED NODE READINESS GATES (node = spec.nodeName, or the host for a pod not
 * bound). */
void pods_table_print(FILE *f, const json_t *pods, bool all_ns, bool wide, int64_t now_ns,
                      const char *host);
/* What a watch's output keeps from one change to the next. */
struct watch_print {
    bool printed;      /* the header (or first document) is out */
    size_t widths[16]; /* each column as wide as its widest cell so far, as kubectl's */
};
/* One pod of a watch as kubectl get -w prints it: a table row (after the header the first
 * time), the object in JSON, a YAML document ("---" before all but the first), pod/NAME. */
void pod_watch_print(FILE *f, const json_t *pod, enum output_format fmt, struct watch_print *w,
                     bool all_ns, int64_t now_ns, const char *host);
/* Prints pods (an array) in fmt; a single pod (single=true) prints as itself, several as
 * kubectl's {"apiVersion":"v1","items":[...],"kind":"List","metadata":{...}}. */
int pods_print(FILE *f, const json_t *pods, bool single, enum output_format fmt, bool all_ns,
               int64_t now_ns, const char *host);

/* JSON as block-style YAML the way kubectl prints it: keys sorted, strings quoted only
 * where they would read back as another type, multi-line strings as literal blocks. */
int json_print_yaml(const json_t *j, FILE *f);
