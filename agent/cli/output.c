/* SPDX-License-Identifier: Apache-2.0 */
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "json-util.h"
#include "pod-summary.h"
#include "time-util.h"
#include "xalloc.h"

static const char *nonempty(const json_t *obj, const char *key)
{
    const char *s = orc_json_str(obj, key);
    return s && *s ? s : NULL;
}

char *pod_status_text(const json_t *pod)
{
    struct pod_summary s;
    pod_summarize(pod, &s);
    return xstrdup(s.reason);
}

char *pod_ready_text(const json_t *pod)
{
    struct pod_summary s;
    pod_summarize(pod, &s);
    return xasprintf("%u/%u", s.ready, s.total);
}

char *age_text(const char *ts, int64_t now_ns)
{
    int64_t t;
    if (!ts || orc_time_parse_rfc3339(ts, &t) < 0)
        return xstrdup("<unknown>");
    char buf[32];
    orc_time_format_age(now_ns - t, buf, sizeof(buf));
    return xstrdup(buf);
}

char *pod_restarts_text(const json_t *pod, int64_t now_ns)
{
    struct pod_summary s;
    pod_summarize(pod, &s);
    if (s.restarts == 0 || !s.last_restart_ns)
        return xasprintf("%lld", s.restarts);
    char age[32];
    orc_time_format_age(now_ns - s.last_restart_ns, age, sizeof(age));
    return xasprintf("%lld (%s ago)", s.restarts, age);
}

char *describe_time_text(const char *ts)
{
    int64_t ns;
    if (!ts || !*ts)
        return xstrdup("<unset>");
    if (orc_time_parse_rfc3339(ts, &ns) < 0)
        return xstrdup(ts);
    time_t t = (time_t) (ns / NSEC_PER_SEC);
    struct tm tm;
    char buf[64];
    if (!localtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S %z", &tm))
        return xstrdup(ts);
    return xstrdup(buf);
}

void table_add(struct table *t, const char *const *cells)
{
    size_t n = 0;
    while (cells[n])
        n++;
    if (n > t->n_cols)
        t->n_cols = n;
    char **row = new0(char *, n + 1);
    for (size_t i = 0; i < n; i++)
        row[i] = xstrdup(cells[i]);
    t->rows = xrealloc(t->rows, sizeof(*t->rows) * (t->n_rows + 1));
    t->rows[t->n_rows++] = row;
}

void table_print(struct table *t, FILE *f)
{
    size_t *w = new0(size_t, t->n_cols + 1);
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; t->rows[r][c]; c++)
            if (strlen(t->rows[r][c]) > w[c])
                w[c] = strlen(t->rows[r][c]);
    for (size_t c = 0; t->min_widths && c < t->n_cols; c++) {
        if (t->min_widths[c] > w[c])
            w[c] = t->min_widths[c];
        t->min_widths[c] = w[c];
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; t->rows[r][c]; c++) {
            if (!t->rows[r][c + 1])
                fputs(t->rows[r][c], f);
            else
                fprintf(f, "%-*s   ", (int) w[c], t->rows[r][c]);
        }
        fputc('\n', f);
    }
    free(w);
}

void table_free(struct table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; t->rows[r][c]; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

enum output_format output_format_from_string(const char *s)
{
    static const char *const names[_OUTPUT_FORMAT_MAX] = {[OUTPUT_TABLE] = "",
                                                          [OUTPUT_WIDE] = "wide",
                                                          [OUTPUT_JSON] = "json",
                                                          [OUTPUT_YAML] = "yaml",
                                                          [OUTPUT_NAME] = "name"};
    if (!s)
        return OUTPUT_TABLE;
    for (int i = OUTPUT_WIDE; i < _OUTPUT_FORMAT_MAX; i++)
        if (!strcmp(s, names[i]))
            return (enum output_format) i;
    return _OUTPUT_FORMAT_INVALID;
}

/* Copies the first n cells of row (dropping the leading NAMESPACE unless all_ns). */
static void add_cells(struct table *t, const char *const *row, bool all_ns, size_t n)
{
    const char *cells[12];
    size_t k = 0;
    for (size_t i = all_ns ? 0 : 1; i < n; i++)
        cells[k++] = row[i];
    cells[k] = NULL;
    table_add(t, cells);
}

/* The pods' rows, after the header when header is set; widths: see struct table. */
static void pods_rows_print(FILE *f, const json_t *pods, bool all_ns, bool wide, int64_t now_ns,
                            const char *host, bool header, size_t *widths)
{
    static const char *const head[] = {
        "NAMESPACE", "NAME", "READY", "STATUS",         "RESTARTS",
        "AGE",       "IP",   "NODE",  "NOMINATED NODE", "READINESS GATES"};
    size_t ncols = wide ? ELEMENTSOF(head) : 6;
    struct table t = {.min_widths = widths};
    if (header)
        add_cells(&t, head, all_ns, ncols);
    size_t i;
    json_t *p;
    json_array_foreach(pods, i, p) {
        json_t *meta = json_object_get(p, "metadata"), *st = json_object_get(p, "status");
        _cleanup_free_ char *ready = pod_ready_text(p), *status = pod_status_text(p);
        _cleanup_free_ char *restarts = pod_restarts_text(p, now_ns);
        _cleanup_free_ char *age = age_text(orc_json_str(meta, "creationTimestamp"), now_ns);
        const char *row[] = {orc_json_str(meta, "namespace") ?: "",
                             orc_json_str(meta, "name") ?: "",
                             ready,
                             status,
                             restarts,
                             age,
                             nonempty(st, "podIP") ?: "<none>",
                             nonempty(json_object_get(p, "spec"), "nodeName") ?: host,
                             "<none>",
                             "<none>"};
        add_cells(&t, row, all_ns, ncols);
    }
    table_print(&t, f);
    table_free(&t);
}

void pods_table_print(FILE *f, const json_t *pods, bool all_ns, bool wide, int64_t now_ns,
                      const char *host)
{
    pods_rows_print(f, pods, all_ns, wide, now_ns, host, true, NULL);
}

void pod_watch_print(FILE *f, const json_t *pod, enum output_format fmt, struct watch_print *w,
                     bool all_ns, int64_t now_ns, const char *host)
{
    json_auto_t *one = json_pack("[O]", pod);
    if (fmt == OUTPUT_TABLE || fmt == OUTPUT_WIDE)
        pods_rows_print(f, one, all_ns, fmt == OUTPUT_WIDE, now_ns, host, !w->printed, w->widths);
    else if (fmt == OUTPUT_YAML && w->printed)
        fputs("---\n", f);
    if (fmt != OUTPUT_TABLE && fmt != OUTPUT_WIDE)
        pods_print(f, one, true, fmt, all_ns, now_ns, host);
    w->printed = true;
    fflush(f);
}

int pods_print(FILE *f, const json_t *pods, bool single, enum output_format fmt, bool all_ns,
               int64_t now_ns, const char *host)
{
    size_t i;
    json_t *p;
    switch (fmt) {
    case OUTPUT_JSON:
    case OUTPUT_YAML: {
        json_auto_t *doc = single
                               ? json_incref(json_array_get(pods, 0))
                               : json_pack("{s:s,s:O,s:s,s:{s:s}}", "apiVersion", "v1", "items",
                                           pods, "kind", "List", "metadata", "resourceVersion", "");
        if (fmt == OUTPUT_YAML)
            return json_print_yaml(doc, f);
        int r = json_dumpf(doc, f, JSON_INDENT(4));
        fputc('\n', f);
        return r;
    }
    case OUTPUT_NAME:
        json_array_foreach(pods, i, p)
            fprintf(f, "pod/%s\n", orc_json_str(json_object_get(p, "metadata"), "name") ?: "");
        return 0;
    case OUTPUT_TABLE:
    case OUTPUT_WIDE:
        pods_table_print(f, pods, all_ns, fmt == OUTPUT_WIDE, now_ns, host);
        return 0;
    case _OUTPUT_FORMAT_MAX:
    case _OUTPUT_FORMAT_INVALID:
        break;
    }
    return -1;
}
