/* SPDX-License-Identifier: Apache-2.0 */
#include "print.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "json-util.h"
#include "time-util.h"
#include "xalloc.h"

static json_t *statuses(const json_t *pod)
{
    return json_object_get(json_object_get(pod, "status"), "containerStatuses");
}

char *pod_status_text(const json_t *pod)
{
    json_t *st = json_object_get(pod, "status");
    const char *reason = orc_json_str(st, "reason") ?: orc_json_str(st, "phase") ?: "Unknown";
    char buf[64];
    bool has_running = false;
    json_t *cs = statuses(pod);
    for (size_t i = json_array_size(cs); i > 0; i--) {
        json_t *c = json_array_get(cs, i - 1), *state = json_object_get(c, "state");
        json_t *w = json_object_get(state, "waiting"), *t = json_object_get(state, "terminated");
        if (w && orc_json_str(w, "reason") && *orc_json_str(w, "reason")) {
            reason = orc_json_str(w, "reason");
        } else if (t && orc_json_str(t, "reason") && *orc_json_str(t, "reason")) {
            reason = orc_json_str(t, "reason");
        } else if (t) {
            long long sig = orc_json_int(t, "signal", 0);
            snprintf(buf, sizeof(buf), sig ? "Signal:%lld" : "ExitCode:%lld",
                     sig ? sig : orc_json_int(t, "exitCode", 0));
            reason = buf;
        } else if (json_is_true(json_object_get(c, "ready")) && json_object_get(state, "running")) {
            has_running = true;
        }
    }
    if (!strcmp(reason, "Completed") && has_running)
        reason = "Running";
    if (orc_json_str(json_object_get(pod, "metadata"), "deletionTimestamp"))
        reason = "Terminating";
    return xstrdup(reason);
}

char *pod_ready_text(const json_t *pod)
{
    size_t total = json_array_size(json_object_get(json_object_get(pod, "spec"), "containers"));
    size_t ready = 0, i;
    json_t *c;
    json_array_foreach(statuses(pod), i, c) ready += json_is_true(json_object_get(c, "ready"));
    return xasprintf("%zu/%zu", ready, total);
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
    long long total = 0;
    const char *last = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(statuses(pod), i, c) {
        total += orc_json_int(c, "restartCount", 0);
        const char *f = orc_json_str(
            json_object_get(json_object_get(c, "lastState"), "terminated"), "finishedAt");
        if (f && (!last || strcmp(f, last) > 0))
            last = f;
    }
    if (total == 0 || !last)
        return xasprintf("%lld", total);
    char *age = age_text(last, now_ns);
    char *s = xasprintf("%lld (%s ago)", total, age);
    free(age);
    return s;
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

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
    return yaml_emitter_emit(e, ev) ? 0 : -1;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, bool plain_ok)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *) text, (int) strlen(text),
                                 plain_ok, 1,
                                 plain_ok ? YAML_ANY_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE);
    return emit(e, &ev);
}

/* Strings that would read back as another type are quoted. */
static bool needs_quotes(const char *s)
{
    static const char *const special[] = {"true", "false", "null", "~", "yes", "no", "on", "off",
                                          "True", "False", "Null", "Yes", "No", "On", "Off", ""};
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (!strcmp(s, special[i]))
            return true;
    char *end;
    (void) strtod(s, &end);
    return *end == '\0';
}

static int emit_json(yaml_emitter_t *e, const json_t *j)
{
    yaml_event_t ev;
    char buf[64];
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (emit(e, &ev) < 0)
            return -1;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) j, k, v) if (emit_scalar(e, k, true) < 0 ||
                                                    emit_json(e, v) < 0) return -1;
        yaml_mapping_end_event_initialize(&ev);
        return emit(e, &ev);
    }
    case JSON_ARRAY: {
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        if (emit(e, &ev) < 0)
            return -1;
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) if (emit_json(e, v) < 0) return -1;
        yaml_sequence_end_event_initialize(&ev);
        return emit(e, &ev);
    }
    case JSON_STRING:
        return emit_scalar(e, json_string_value(j), !needs_quotes(json_string_value(j)));
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(j));
        return emit_scalar(e, buf, true);
    case JSON_REAL:
        snprintf(buf, sizeof(buf), "%g", json_real_value(j));
        return emit_scalar(e, buf, true);
    case JSON_TRUE:
        return emit_scalar(e, "true", true);
    case JSON_FALSE:
        return emit_scalar(e, "false", true);
    case JSON_NULL:
        return emit_scalar(e, "null", true);
    }
    return -1;
}

int json_print_yaml(const json_t *j, FILE *f)
{
    yaml_emitter_t e;
    yaml_event_t ev;
    yaml_emitter_initialize(&e);
    yaml_emitter_set_output_file(&e, f);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, -1);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    int r = emit(&e, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    r = r < 0 ? r : emit(&e, &ev);
    r = r < 0 ? r : emit_json(&e, j);
    yaml_document_end_event_initialize(&ev, 1);
    r = r < 0 ? r : emit(&e, &ev);
    yaml_stream_end_event_initialize(&ev);
    r = r < 0 ? r : emit(&e, &ev);
    yaml_emitter_delete(&e);
    return r;
}
