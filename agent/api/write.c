/* SPDX-License-Identifier: Apache-2.0 */
/* The Kubernetes API's write path for pods: create, replace, delete (shapes in write.h). */
#include "api/write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/protobuf.h"
#include "cleanup.h"
#include "json-util.h"
#include "manifest.h"
#include "orcd.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct manifest_result *, manifest_result_free)

static const char *const validation_names[_API_FIELD_VALIDATION_MAX] = {"Ignore", "Warn", "Strict"};

static json_t *bad_request(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *bad_request(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    return api_status_new(400, "BadRequest", msg, NULL);
}

/* The reason of a field error, from the words kube-apiserver's messages start with. */
static const char *cause_reason(const char *message)
{
    static const struct {
        const char *prefix, *reason;
    } reasons[] = {
        {"Required value", "FieldValueRequired"},   {"Unsupported value", "FieldValueNotSupported"},
        {"Duplicate value", "FieldValueDuplicate"}, {"Forbidden", "FieldValueForbidden"},
        {"Too long", "FieldValueTooLong"},          {"Invalid value", "FieldValueInvalid"},
    };
    for (size_t i = 0; i < ELEMENTSOF(reasons); i++)
        if (!strncmp(message, reasons[i].prefix, strlen(reasons[i].prefix)))
            return reasons[i].reason;
    return "FieldValueInvalid";
}

/* A 422 about one field of the request's options, as kube-apiserver words it:
 * CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ... */
static json_t *invalid_option(const char *kind, const char *field, const char *detail)
{
    _cleanup_free_ char *msg =
        xasprintf("%s.meta.k8s.io \"\" is invalid: %s: %s", kind, field, detail);
    json_t *causes = json_pack("[{s:s,s:s,s:s}]", "reason", cause_reason(detail), "message", detail,
                               "field", field);
    return api_status_new(422, "Invalid", msg,
                          json_pack("{s:s,s:s,s:s,s:o}", "name", "", "group", "meta.k8s.io", "kind",
                                    kind, "causes", causes));
}

/* dryRun: only "All" (repeatable, as the query and DeleteOptions' list allow). */
static json_t *check_dry_run(const char *kind, const char *value, bool *ret)
{
    if (strcmp(value, "All")) {
        _cleanup_free_ char *detail =
            xasprintf("Unsupported value: \"%s\": supported values: \"All\"", value);
        return invalid_option(kind, "dryRun", detail);
    }
    *ret = true;
    return NULL;
}

int api_write_options(struct request *r, const char *options_kind, struct api_write *w,
                      json_t **ret_status)
{
    const char *fv = api_query(r, "fieldValidation");
    w->validation = API_FIELD_VALIDATION_WARN; /* kube-apiserver's default */
    if (fv && *fv) {
        int i = 0;
        while (i < _API_FIELD_VALIDATION_MAX && strcmp(fv, validation_names[i]))
            i++;
        if (i == _API_FIELD_VALIDATION_MAX) {
            _cleanup_free_ char *detail =
                xasprintf("Unsupported value: \"%s\": supported values: \"Ignore\", \"Warn\", "
                          "\"Strict\"",
                          fv);
            *ret_status = invalid_option(options_kind, "fieldValidation", detail);
            return -1;
        }
        w->validation = i;
    }
    w->dry_run = false;
    const char *dry = api_query(r, "dryRun");
    if (dry && (*ret_status = check_dry_run(options_kind, dry, &w->dry_run)))
        return -1;
    return 0;
}

/* The media type of the body (Content-Type without parameters) is JSON, or not given. */
static bool body_is_json(struct request *r)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct || !*ct)
        return true;
    size_t n = strcspn(ct, "; \t");
    return n == strlen("application/json") && !strncasecmp(ct, "application/json", n);
}

/* A key repeated in a JSON object, as fieldValidation decides it: refused (Strict), a warning
 * (Warn), or nothing (Ignore); the last value stands, as kube-apiserver keeps it. jansson
 * stops at the first and names it: "duplicate object key near '"name"'". */
static json_t *duplicate_field(struct request *r, const char *kind, const json_error_t *jerr,
                               enum api_field_validation v)
{
    const char *near = strstr(jerr->text, "near '"), *end = strrchr(jerr->text, '\'');
    _cleanup_free_ char *text =
        near && end > near + 6 ? xasprintf("duplicate field %.*s", (int) (end - near - 6), near + 6)
                               : xstrdup("duplicate field");
    if (v == API_FIELD_VALIDATION_STRICT)
        return bad_request("%s in version \"v1\" cannot be handled as a %s: strict decoding "
                           "error: %s",
                           kind, kind, text);
    if (v == API_FIELD_VALIDATION_WARN)
        api_warn(r, text);
    return NULL;
}

int api_write_body(struct request *r, const char *kind, enum api_field_validation v, json_t **ret,
                   json_t **ret_status)
{
    if (!body_is_json(r)) {
        *ret_status = api_status_new(415, "UnsupportedMediaType",
                                     "the body of the request was in an unknown format - "
                                     "accepted media types include: application/json",
                                     NULL);
        return -1;
    }
    const char *body = r->body ? r->body : "";
    json_error_t jerr;
    json_t *obj = json_loadb(body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj && json_error_code(&jerr) == json_error_duplicate_key) {
        if ((*ret_status = duplicate_field(r, kind, &jerr, v)))
            return -1;
        obj = json_loadb(body, r->body_len, 0, &jerr);
    }
    if (!obj || !json_is_object(obj)) {
        *ret_status = bad_request("the object provided is unrecognized (must be of type %s): "
                                  "json parse error: %s",
                                  kind, obj ? "the body is not a JSON object" : jerr.text);
        json_decref(obj);
        return -1;
    }
    *ret = obj;
    return 0;
}

int api_write_body_typed(struct request *r, const char *kind, enum api_field_validation v,
                         json_t **ret, json_t **ret_status)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!api_protobuf_is_type(ct))
        return api_write_body(r, kind, v, ret, ret_status);
    orc_error_t err = NULL;
    if (api_protobuf_decode((const unsigned char *) (r->body ? r->body : ""), r->body_len, ret,
                            &err) == 0)
        return 0;
    *ret_status = api_status_new(400, "BadRequest", orc_error_message(err), NULL);
    orc_error_release(&err);
    return -1;
}

/* kube-apiserver's generated names: the prefix (cut to leave room) and five characters that
 * make no words. */
static char *generate_name(const char *prefix)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    unsigned char rnd[5];
    if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
        abort();
    char suffix[6];
    for (size_t i = 0; i < 5; i++)
        suffix[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
    suffix[5] = '\0';
    return xasprintf("%.*s%s", 58, prefix, suffix);
}

/* kind and apiVersion, when written, must be the path's; when not, they are the path's. */
static json_t *check_type(json_t *obj, const char *want)
{
    const char *api = orc_json_str(obj, "apiVersion"), *kind = orc_json_str(obj, "kind");
    if (api && *api && strcmp(api, "v1"))
        return bad_request("the API version in the data (%s) does not match the expected API "
                           "version (v1)",
                           api);
    if (kind && *kind && strcmp(kind, want))
        return bad_request("the object provided is unrecognized (must be of type %s): its kind "
                           "is %s",
                           want, kind);
    json_object_set_new(obj, "apiVersion", json_string("v1"));
    json_object_set_new(obj, "kind", json_string(want));
    return NULL;
}

/* The object's namespace and name against the path's, as kube-apiserver checks them on a
 * create (the namespace) and on an update (the name, then the namespace); a namespace not
 * written is the path's. */
static json_t *check_target(struct request *r, json_t *obj, const struct api_write *w)
{
    if (!json_is_object(json_object_get(obj, "metadata")))
        json_object_set_new(obj, "metadata", json_object());
    json_t *meta = json_object_get(obj, "metadata");
    const char *ns = orc_json_str(meta, "namespace"), *name = orc_json_str(meta, "name");
    const char *rv = orc_json_str(meta, "resourceVersion");
    if (!r->path.namespace) /* a cluster-scoped object has none */
        json_object_del(meta, "namespace"), ns = NULL;
    if (w->mode == STORE_WRITE_REPLACE && strcmp(name ? name : "", r->path.name))
        return bad_request("the name of the object (%s) does not match the name on the URL (%s)",
                           name ? name : "", r->path.name);
    if (ns && *ns && r->path.namespace && strcmp(ns, r->path.namespace))
        return w->mode == STORE_WRITE_CREATE
                   ? bad_request("the namespace of the provided object does not match the "
                                 "namespace sent on the request")
                   : bad_request("the namespace of the object (%s) does not match the namespace "
                                 "on the request (%s)",
                                 ns, r->path.namespace);
    if (r->path.namespace)
        json_object_set_new(meta, "namespace", json_string(r->path.namespace));
    if (w->mode == STORE_WRITE_CREATE && rv && *rv)
        return bad_request("resourceVersion should not be set on objects to be created");
    const char *gen = orc_json_str(meta, "generateName");
    if (w->mode == STORE_WRITE_CREATE && (!name || !*name) && gen && *gen) {
        _cleanup_free_ char *generated = generate_name(gen);
        json_object_set_new(meta, "name", json_string(generated));
    }
    return NULL;
}

/* A diagnostic as the API shows it: "field: message" (no file or position: the object came
 * as one body). */
static char *diag_text(const struct manifest_diag *d)
{
    return d->path && *d->path ? xasprintf("%s: %s", d->path, d->message) : xstrdup(d->message);
}

/* The object's errors as kube-apiserver's 422: Pod "x" is invalid: [a: ..., b: ...], each in
 * details.causes; an error about the input as a whole (no field) is a 400. */
static json_t *invalid_object(const struct manifest_result *mr, const char *kind, const char *name)
{
    if (mr->n_errors == 1 && !*mr->errors[0].path)
        return bad_request("%s", mr->errors[0].message);
    json_t *causes = json_array();
    size_t len = 0;
    _cleanup_free_ char *list = NULL;
    FILE *f = open_memstream(&list, &len);
    for (size_t i = 0; i < mr->n_errors; i++) {
        const struct manifest_diag *d = &mr->errors[i];
        _cleanup_free_ char *text = diag_text(d);
        fprintf(f, "%s%s", i ? ", " : "", text);
        json_array_append_new(causes, json_pack("{s:s,s:s,s:s}", "reason", cause_reason(d->message),
                                                "message", d->message, "field", d->path));
    }
    fclose(f);
    _cleanup_free_ char *msg =
        xasprintf("%s \"%s\" is invalid: %s%s%s", kind, name, mr->n_errors > 1 ? "[" : "", list,
                  mr->n_errors > 1 ? "]" : "");
    return api_status_new(422, "Invalid", msg,
                          json_pack("{s:s,s:s,s:o}", "name", name, "kind", kind, "causes", causes));
}

/* Unknown fields by the request's fieldValidation: refused as kube-apiserver's strict decoding
 * refuses them, or warnings, or nothing; orc's other warnings are always sent. */
static json_t *field_validation(struct request *r, const struct manifest_result *mr,
                                const char *kind, enum api_field_validation v)
{
    _cleanup_free_ char *unknown = NULL;
    for (size_t i = 0; i < mr->n_warnings; i++) {
        const struct manifest_diag *d = &mr->warnings[i];
        _cleanup_free_ char *text = diag_text(d);
        if (!d->unknown_field || v == API_FIELD_VALIDATION_WARN) {
            api_warn(r, text);
        } else if (v == API_FIELD_VALIDATION_STRICT) {
            char *joined = xasprintf("%s%s%s", unknown ? unknown : "", unknown ? ", " : "", text);
            free(unknown);
            unknown = joined;
        }
    }
    if (unknown)
        return bad_request("%s in version \"v1\" cannot be handled as a %s: strict decoding "
                           "error: %s",
                           kind, kind, unknown);
    return NULL;
}

/* obj through the manifest parser: its one document, or the Status that refuses it. */
static json_t *decode(struct request *r, const json_t *obj, const char *kind,
                      enum api_field_validation v, struct manifest_result **ret)
{
    _cleanup_free_ char *text = json_dumps(obj, JSON_COMPACT);
    _cleanup_(manifest_result_freep) struct manifest_result *mr = NULL;
    manifest_parse_with(text, strlen(text), "<request>", NULL, 0, &mr);
    json_t *status = NULL;
    if (mr->n_errors) {
        const char *name = orc_json_str(json_object_get(obj, "metadata"), "name");
        return invalid_object(mr, kind, name ? name : "");
    }
    if (mr->n_docs != 1)
        return bad_request("the request holds no object");
    if ((status = field_validation(r, mr, kind, v)))
        return status;
    *ret = TAKE_PTR(mr);
    return NULL;
}

int api_write_decode(struct request *r, json_t *obj, const char *kind, const struct api_write *w,
                     struct manifest_result **ret, json_t **ret_status)
{
    json_t *status = check_type(obj, kind);
    if (!status)
        status = check_target(r, obj, w);
    if (!status)
        status = decode(r, obj, kind, w->validation, ret);
    *ret_status = status;
    return status ? -1 : 0;
}

int api_pod_write(struct request *r, json_t *obj, const struct api_write *w, json_t **ret,
                  json_t **ret_status)
{
    json_t *status = NULL;
    _cleanup_(manifest_result_freep) struct manifest_result *mr = NULL;
    if (api_write_decode(r, obj, "Pod", w, &mr, &status) < 0) {
        *ret_status = status;
        return -1;
    }
    struct pod *pod = TAKE_PTR(mr->docs[0].pod);
    /* a replace's uid, when written, is a precondition too (a pod deleted and made again
     * under its name is another pod); a create's is the server's to give */
    json_t *meta = json_object_get(obj, "metadata");
    struct store_write sw = {.mode = w->mode,
                             .resource_version = orc_json_str(meta, "resourceVersion"),
                             .uid =
                                 w->mode == STORE_WRITE_REPLACE ? orc_json_str(meta, "uid") : NULL,
                             .dry_run = w->dry_run};
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    json_t *stored = NULL;
    int rc = api_open_store(r, &s, &err);
    if (rc >= 0)
        rc = store_pod_write(s, pod, &sw, NULL, &stored, &err);
    _cleanup_free_ char *name = xstrdup(pod->name);
    pod_free(pod);
    if (rc < 0) {
        *ret_status = api_status_from_error(&err, "pods", name);
        return -1;
    }
    if (!w->dry_run)
        orcd_wake(r->o);
    *ret = stored;
    return 0;
}

/* POST and PUT: the body, the options, the write; 201 for a create as kube-apiserver. */
static enum MHD_Result write_request(struct request *r, enum store_write_mode mode)
{
    struct api_write w = {.mode = mode};
    json_t *status = NULL, *out = NULL;
    json_auto_t *obj = NULL;
    if (api_write_options(r, mode == STORE_WRITE_CREATE ? "CreateOptions" : "UpdateOptions", &w,
                          &status) < 0 ||
        api_write_body(r, "Pod", w.validation, &obj, &status) < 0)
        return api_reply_status_json(r, status);
    /* a pod read back and put (kubectl replace, edit) carries orc's mark of an implied pull
     * policy: read as a patch reads it */
    if (mode == STORE_WRITE_REPLACE)
        api_pod_keep_implied_policies(r, obj);
    if (api_pod_write(r, obj, &w, &out, &status) < 0)
        return api_reply_status_json(r, status);
    return api_reply_json(r, mode == STORE_WRITE_CREATE ? 201 : 200, out);
}

enum MHD_Result api_pod_create(struct request *r)
{
    return write_request(r, STORE_WRITE_CREATE);
}

enum MHD_Result api_pod_replace(struct request *r)
{
    return write_request(r, STORE_WRITE_REPLACE);
}

/* DeleteOptions.propagationPolicy; orc's pods have no dependents, so each deletes the same. */
static json_t *check_propagation(const char *policy, bool orphan_set)
{
    if (strcmp(policy, "Foreground") && strcmp(policy, "Background") && strcmp(policy, "Orphan")) {
        _cleanup_free_ char *detail = xasprintf("Unsupported value: \"%s\": supported values: "
                                                "\"Foreground\", \"Background\", \"Orphan\"",
                                                policy);
        return invalid_option("DeleteOptions", "propagationPolicy", detail);
    }
    if (orphan_set) {
        _cleanup_free_ char *detail = xasprintf("Invalid value: \"%s\": orphanDependents and "
                                                "deletionPropagation cannot be both set",
                                                policy);
        return invalid_option("DeleteOptions", "propagationPolicy", detail);
    }
    return NULL;
}

static json_t *check_grace(long long grace, struct store_delete *d)
{
    if (grace < 0)
        return bad_request("gracePeriodSeconds must be a non-negative integer");
    d->grace = grace;
    return NULL;
}

/* A DeleteOptions body (kubectl sends one); d's strings point into it. */
static json_t *delete_options_body(json_t *body, struct store_delete *d)
{
    const char *kind = orc_json_str(body, "kind");
    if (kind && *kind && strcmp(kind, "DeleteOptions"))
        return bad_request("the object provided is unrecognized (must be of type DeleteOptions): "
                           "its kind is %s",
                           kind);
    json_t *grace = json_object_get(body, "gracePeriodSeconds"), *v = NULL;
    if (grace && !json_is_null(grace)) {
        json_t *st = json_is_integer(grace)
                         ? check_grace(json_integer_value(grace), d)
                         : bad_request("gracePeriodSeconds must be a non-negative integer");
        if (st)
            return st;
    }
    json_t *pre = json_object_get(body, "preconditions");
    d->uid = orc_json_str(pre, "uid");
    d->resource_version = orc_json_str(pre, "resourceVersion");
    size_t i;
    json_array_foreach(json_object_get(body, "dryRun"), i, v) {
        json_t *st = check_dry_run("DeleteOptions", json_is_string(v) ? json_string_value(v) : "",
                                   &d->dry_run);
        if (st)
            return st;
    }
    const char *policy = orc_json_str(body, "propagationPolicy");
    json_t *orphan = json_object_get(body, "orphanDependents");
    return policy ? check_propagation(policy, orphan && !json_is_null(orphan)) : NULL;
}

/* The same options as query parameters, when there is no body. */
static json_t *delete_options_query(struct request *r, struct store_delete *d)
{
    const char *g = api_query(r, "gracePeriodSeconds");
    if (g) {
        char *end = NULL;
        long long grace = strtoll(g, &end, 10);
        json_t *st = !*g || *end ? bad_request("gracePeriodSeconds must be a non-negative integer")
                                 : check_grace(grace, d);
        if (st)
            return st;
    }
    const char *dry = api_query(r, "dryRun");
    json_t *st = dry ? check_dry_run("DeleteOptions", dry, &d->dry_run) : NULL;
    if (st)
        return st;
    const char *policy = api_query(r, "propagationPolicy");
    return policy ? check_propagation(policy, api_query(r, "orphanDependents") != NULL) : NULL;
}

int api_delete_options(struct request *r, struct store_delete *d, json_t **ret_body,
                       json_t **ret_status)
{
    json_t *body = NULL, *status = NULL;
    *d = (struct store_delete){.grace = -1};
    if (r->body_len &&
        api_write_body(r, "DeleteOptions", API_FIELD_VALIDATION_IGNORE, &body, &status) < 0) {
        *ret_status = status;
        return -1;
    }
    *ret_body = body;
    *ret_status = body ? delete_options_body(body, d) : delete_options_query(r, d);
    return *ret_status ? -1 : 0;
}

enum MHD_Result api_pod_delete(struct request *r)
{
    const char *ns = r->path.namespace, *name = r->path.name;
    struct store_delete d;
    json_auto_t *body = NULL;
    json_t *status = NULL;
    if (api_delete_options(r, &d, &body, &status) < 0)
        return api_reply_status_json(r, status);
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    json_t *pod = NULL;
    if (api_open_store(r, &s, &err) < 0 || store_pod_delete(s, ns, name, &d, &pod, &err) < 0)
        return api_reply_error(r, &err, "pods", name);
    if (!d.dry_run)
        orcd_wake(r->o);
    return api_reply_json(r, 200, pod);
}
