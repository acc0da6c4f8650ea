/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The three patch types: the cases of testdata/patch/ (RFC 6902's and RFC 7386's appendixes,
 * strategic merge patches as kubectl sends them), content types, and hostile input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "patch-internal.h"
#include "patch.h"
#include "tap.h"
#include "xalloc.h"

static const char *status_name(int status)
{
    switch (status) {
    case EBADMSG:
        return "EBADMSG";
    case EINVAL:
        return "EINVAL";
    case E2BIG:
        return "E2BIG";
    case EOPNOTSUPP:
        return "EOPNOTSUPP";
    default:
        return "other";
    }
}

static int type_of(const char *name)
{
    if (!strcmp(name, "json"))
        return PATCH_JSON;
    if (!strcmp(name, "merge"))
        return PATCH_MERGE;
    if (!strcmp(name, "strategic"))
        return PATCH_STRATEGIC;
    return -1;
}

/* Applies a case's patch: through patch_apply, or (raw) straight through its applier, for
 * RFC cases whose documents are no objects. */
static int apply_case(const json_t *c, int type, const json_t *original, const json_t *patch,
                      json_t **ret, orc_error_t *err)
{
    const char *kind = json_string_value(json_object_get(c, "kind"));
    if (!json_is_true(json_object_get(c, "raw")))
        return patch_apply(type, kind, original, patch, ret, err);
    if (type == PATCH_MERGE) {
        *ret = merge_patch_apply(original, patch);
        return 0;
    }
    if (type == PATCH_JSON)
        return json_patch_apply(original, patch, ret, err);
    return strategic_merge_apply(patch_meta_for_kind(kind), original, patch, ret, err);
}

static void check_outcome(const char *name, const json_t *c, int r, const json_t *result,
                          orc_error_t err)
{
    const json_t *want = json_object_get(c, "result");
    const char *want_error = json_string_value(json_object_get(c, "error"));
    const char *want_status = json_string_value(json_object_get(c, "status"));
    if (want) {
        tap_ok(r >= 0 && json_equal((json_t *) result, (json_t *) want), "%s", name);
        if (r < 0)
            printf("#   error: %s\n", orc_error_message(err));
        else if (!json_equal((json_t *) result, (json_t *) want)) {
            _cleanup_free_ char *got = json_dumps(result, JSON_COMPACT);
            _cleanup_free_ char *exp = json_dumps(want, JSON_COMPACT);
            printf("#   got      %s\n#   expected %s\n", got, exp);
        }
        return;
    }
    bool ok = r < 0 && want_error && strstr(orc_error_message(err), want_error) &&
              (!want_status || !strcmp(status_name(err->status), want_status));
    tap_ok(ok, "%s: refused", name);
    if (!ok) {
        _cleanup_free_ char *got = r < 0 ? NULL : json_dumps(result, JSON_COMPACT);
        printf("#   got %s (%s), expected '%s' (%s)\n", r < 0 ? orc_error_message(err) : got,
               r < 0 ? status_name(err->status) : "no error", want_error ? want_error : "?",
               want_status ? want_status : "any status");
    }
}

static void run_case(const char *file, const json_t *c)
{
    _cleanup_free_ char *name =
        xasprintf("%s: %s", file, json_string_value(json_object_get(c, "name")));
    const json_t *original = json_object_get(c, "original");
    const char *patch_text = json_string_value(json_object_get(c, "patch_text"));
    json_auto_t *patch = json_incref(json_object_get(c, "patch"));
    int type = type_of(json_string_value(json_object_get(c, "type")));
    orc_error_t err = NULL;
    json_auto_t *result = NULL;
    int r = 0;
    if (patch_text)
        r = patch_decode(patch_text, strlen(patch_text), NULL, &patch, &err);
    _cleanup_free_ char *before_o = json_dumps(original, JSON_ENCODE_ANY);
    _cleanup_free_ char *before_p = patch ? json_dumps(patch, JSON_ENCODE_ANY) : NULL;
    if (r >= 0)
        r = apply_case(c, type, original, patch, &result, &err);
    check_outcome(name, c, r, result, err);
    _cleanup_free_ char *after_o = json_dumps(original, JSON_ENCODE_ANY);
    _cleanup_free_ char *after_p = patch ? json_dumps(patch, JSON_ENCODE_ANY) : NULL;
    if (strcmp(before_o, after_o) || (before_p && strcmp(before_p, after_p)))
        tap_ok(false, "%s: the inputs were modified", name);
    orc_error_release(&err);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void test_case_files(void)
{
    struct dirent **entries = NULL;
    int n = scandir(PATCH_CASES_DIR, &entries, NULL, by_name);
    tap_ok(n > 0, "case files in %s", PATCH_CASES_DIR);
    for (int i = 0; i < n; i++) {
        const char *f = entries[i]->d_name;
        size_t len = strlen(f);
        if (len > 5 && !strcmp(f + len - 5, ".json")) {
            _cleanup_free_ char *path = xasprintf("%s/%s", PATCH_CASES_DIR, f);
            json_error_t e;
            json_auto_t *cases = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
            tap_ok(json_is_array(cases), "%s parses (%s:%d)", f, e.text, e.line);
            for (size_t j = 0; j < json_array_size(cases); j++)
                run_case(f, json_array_get(cases, j));
        }
        free(entries[i]);
    }
    free(entries);
}

static void test_content_types(void)
{
    orc_error_t err = NULL;
    tap_is_int(patch_type_from_content_type("application/json-patch+json", &err), PATCH_JSON,
               "json patch");
    tap_is_int(patch_type_from_content_type("application/merge-patch+json", &err), PATCH_MERGE,
               "merge patch");
    tap_is_int(patch_type_from_content_type(" Application/Strategic-Merge-Patch+JSON ; "
                                            "charset=utf-8",
                                            &err),
               PATCH_STRATEGIC, "strategic merge patch, any case, with a charset");
    tap_ok(err == NULL, "no error for known types");
    tap_is_int(patch_type_from_content_type("application/apply-patch+yaml", &err), -EOPNOTSUPP,
               "server-side apply refused");
    tap_ok(err && strstr(err->msg, "server-side apply is not supported") &&
               err->status == EOPNOTSUPP,
           "... saying so: %s", orc_error_message(err));
    orc_error_release(&err);
    tap_is_int(patch_type_from_content_type("application/json", &err), -EOPNOTSUPP,
               "plain JSON is no patch type");
    tap_ok(err && strstr(err->msg, "accepted media types include: application/json-patch+json"),
           "... the accepted types listed: %s", orc_error_message(err));
    orc_error_release(&err);
    tap_is_int(patch_type_from_content_type(NULL, &err), -EOPNOTSUPP, "no content type");
    orc_error_release(&err);
    for (int t = 0; t < _PATCH_TYPE_MAX; t++)
        tap_is_int(patch_type_from_content_type(patch_type_to_content_type(t), NULL), t,
                   "%s round-trips", patch_type_to_content_type(t));
}

static void test_decode(void)
{
    orc_error_t err = NULL;
    json_t *j = NULL;
    const char *dup = "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]";
    tap_ok(patch_decode(dup, strlen(dup), NULL, &j, &err) == -EBADMSG && !j,
           "RFC 6902 A.13: a duplicate member is refused: %s", orc_error_message(err));
    orc_error_release(&err);
    char *which = NULL;
    tap_ok(patch_decode(dup, strlen(dup), &which, &j, &err) == 0, "... or, asked, passed over");
    tap_is_str(which, "duplicate field \"op\"", "... and named");
    tap_is_str(json_string_value(json_object_get(json_array_get(j, 0), "op")), "remove",
               "... the last value standing");
    free(which);
    json_decref(j);
    tap_ok(patch_decode("{\"a\":", 5, &which, &j, &err) == -EBADMSG, "truncated JSON refused");
    orc_error_release(&err);
    tap_ok(patch_decode("null", 4, &which, &j, &err) == 0 && json_is_null(j) && !which,
           "null decodes");
    json_decref(j);
}

static json_t *pod(void)
{
    return json_pack("{s:s,s:s,s:{s:s},s:{s:[{s:s,s:s}]}}", "apiVersion", "v1", "kind", "Pod",
                     "metadata", "name", "p", "spec", "containers", "name", "c", "image",
                     "busybox");
}

/* Applies and returns the error's status (0 on success). */
static int status_of(enum patch_type type, const json_t *original, const json_t *patch,
                     const char *want, const char *what)
{
    orc_error_t err = NULL;
    json_auto_t *result = NULL;
    int r = patch_apply(type, "Pod", original, patch, &result, &err);
    bool ok = r < 0 && want && strstr(orc_error_message(err), want);
    tap_ok(r >= 0 ? !want : ok, "%s%s%s", what, r < 0 ? ": " : "",
           r < 0 ? orc_error_message(err) : "");
    int status = r < 0 ? err->status : 0;
    orc_error_release(&err);
    return status;
}

static json_t *nested(size_t depth)
{
    json_t *v = json_string("deep");
    for (size_t i = 0; i < depth; i++)
        v = json_pack("{s:o}", "a", v);
    return v;
}

static void test_limits(void)
{
    json_auto_t *p = pod();
    json_auto_t *ops = json_array();
    for (int i = 0; i < PATCH_MAX_JSON_OPS + 1; i++)
        json_array_append_new(
            ops, json_pack("{s:s,s:s,s:i}", "op", "add", "path", "/metadata/labels", "value", i));
    tap_is_int(status_of(PATCH_JSON, p, ops,
                         "The allowed maximum operations in a JSON patch "
                         "is 10000, got 10001",
                         "10001 operations"),
               E2BIG, "... are too many (413)");
    json_array_remove(ops, 0);
    clock_t start = clock();
    tap_is_int(status_of(PATCH_JSON, p, ops, NULL, "10000 operations apply"), 0, "... at once");
    tap_ok((clock() - start) / CLOCKS_PER_SEC < 5, "... quickly");

    json_auto_t *deep = nested(PATCH_MAX_DEPTH + 5);
    json_auto_t *smp = json_pack("{s:{s:O}}", "metadata", "labels", deep);
    tap_is_int(status_of(PATCH_STRATEGIC, p, smp, "the patch nests deeper than 100 levels",
                         "a deeply nested strategic merge patch"),
               E2BIG, "... refused (413)");
    tap_is_int(status_of(PATCH_MERGE, p, smp, "nests deeper", "a deeply nested merge patch"), E2BIG,
               "... refused");
    json_auto_t *jp = json_pack("[{s:s,s:s,s:O}]", "op", "add", "path", "/x", "value", deep);
    tap_is_int(status_of(PATCH_JSON, p, jp, "nests deeper", "a deeply nested JSON patch value"),
               E2BIG, "... refused");
    json_auto_t *deep_orig = json_pack("{s:O}", "x", deep), *empty = json_object();
    tap_is_int(status_of(PATCH_MERGE, deep_orig, empty, "the object nests deeper",
                         "a deeply nested object"),
               E2BIG, "... refused");

    /* each copy of the root doubles the document */
    json_auto_t *copies = json_array();
    for (int i = 0; i < 40; i++)
        json_array_append_new(copies, json_pack("{s:s,s:s,s:o}", "op", "copy", "from", "", "path",
                                                json_sprintf("/k%d", i)));
    tap_is_int(status_of(PATCH_JSON, p, copies,
                         "copy operations of the patch would add more "
                         "than 1000000 values",
                         "copies that double the object"),
               E2BIG, "... refused");

    /* each move nests the next member one level deeper */
    json_auto_t *flat = json_pack("{s:{}}", "m0"), *moves = json_array();
    _cleanup_free_ char *path = xstrdup("/m0");
    for (int i = 1; i < 120; i++) {
        _cleanup_free_ char *k = xasprintf("m%d", i), *from = xasprintf("/%s", k);
        char *to = xasprintf("%s/%s", path, k);
        json_object_set_new(flat, k, json_object());
        json_array_append_new(moves,
                              json_pack("{s:s,s:s,s:s}", "op", "move", "from", from, "path", to));
        free(path);
        path = to;
    }
    tap_is_int(status_of(PATCH_JSON, flat, moves, "would nest the object deeper than 100 levels",
                         "moves that nest the object ever deeper"),
               E2BIG, "... refused");
}

/* Lists of tens of thousands of elements merge in linear time. */
static void test_long_lists(void)
{
    json_auto_t *orig = pod(),
                *patch = json_pack("{s:{s:[]},s:{s:[{s:s,s:[]}]}}", "metadata", "finalizers",
                                   "spec", "containers", "name", "c", "env");
    json_t *meta = json_object_get(orig, "metadata");
    json_t *c = json_array_get(json_object_get(json_object_get(orig, "spec"), "containers"), 0);
    json_t *fin = json_array(), *env = json_array();
    json_object_set_new(meta, "finalizers", fin);
    json_object_set_new(c, "env", env);
    json_t *pfin = json_object_get(json_object_get(patch, "metadata"), "finalizers");
    json_t *pc = json_array_get(json_object_get(json_object_get(patch, "spec"), "containers"), 0);
    json_t *penv = json_object_get(pc, "env");
    for (int i = 0; i < 20000; i++) {
        json_array_append_new(fin, json_sprintf("f%d", i));
        json_array_append_new(pfin, i % 2 ? json_sprintf("new%d", i) : json_sprintf("f%d", i));
        json_array_append_new(
            env, json_pack("{s:o,s:s}", "name", json_sprintf("f%d", i), "value", "old"));
        json_array_append_new(
            penv, json_pack("{s:o,s:s}", "name", json_sprintf("f%d", i), "value", "new"));
    }
    orc_error_t err = NULL;
    json_auto_t *result = NULL;
    clock_t start = clock();
    int r = patch_apply(PATCH_STRATEGIC, "Pod", orig, patch, &result, &err);
    tap_ok(r == 0, "20000 finalizers and env vars merged%s%s", r < 0 ? ": " : "",
           r < 0 ? err->msg : "");
    tap_ok((clock() - start) / CLOCKS_PER_SEC < 5, "... quickly");
    json_t *got = json_object_get(json_object_get(result, "metadata"), "finalizers");
    tap_is_int(json_array_size(got), 30000, "... the finalizers' union");
    json_t *genv = json_object_get(
        json_array_get(json_object_get(json_object_get(result, "spec"), "containers"), 0), "env");
    tap_is_int(json_array_size(genv), 20000, "... as many env vars");
    tap_is_str(json_string_value(json_object_get(json_array_get(genv, 19999), "value")), "new",
               "... each merged");
    orc_error_release(&err);
}

int main(void)
{
    test_case_files();
    test_content_types();
    test_decode();
    test_limits();
    test_long_lists();
    return tap_done();
}
