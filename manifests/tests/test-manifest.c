/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "fs-util.h"
#include "manifest.h"
#include "quantity.h"
#include "strv.h"
#include "tap.h"
#include "xalloc.h"

static struct manifest_result *parse(const char *text)
{
    struct manifest_result *r = NULL;
    manifest_parse(text, strlen(text), "t.yaml", &r);
    return r;
}

/* True when some error formats exactly as expected. */
static bool has_error(const struct manifest_result *r, const char *expected)
{
    for (size_t i = 0; i < r->n_errors; i++) {
        _cleanup_free_ char *s = manifest_diag_format(&r->errors[i]);
        if (strstr(s, expected))
            return true;
    }
    for (size_t i = 0; i < r->n_errors; i++) {
        _cleanup_free_ char *s = manifest_diag_format(&r->errors[i]);
        printf("#   error: %s\n", s);
    }
    return false;
}

/* True when the input gave exactly one error, formatted exactly as expected. */
static bool only_error(const struct manifest_result *r, const char *expected)
{
    _cleanup_free_ char *s = r->n_errors > 0 ? manifest_diag_format(&r->errors[0]) : NULL;
    if (r->n_errors == 1 && strcmp(s, expected) == 0)
        return true;
    printf("#   %zu errors, expected one\n", r->n_errors);
    for (size_t i = 0; i < r->n_errors; i++) {
        _cleanup_free_ char *e = manifest_diag_format(&r->errors[i]);
        printf("#   error: %s\n", e);
    }
    return false;
}

static bool has_warning(const struct manifest_result *r, const char *expected)
{
    for (size_t i = 0; i < r->n_warnings; i++) {
        _cleanup_free_ char *s = manifest_diag_format(&r->warnings[i]);
        if (strstr(s, expected))
            return true;
    }
    return false;
}

static void test_defaults_and_roundtrip(void)
{
    struct manifest_result *r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                      "spec:\n  containers:\n  - name: c\n    image: busybox\n"
                                      "  - name: d\n    image: busybox:1.36\n");
    tap_is_int(r->n_errors, 0, "minimal pod parses");
    tap_is_int(r->n_docs, 1, "one document");
    struct pod *p = r->docs[0].pod;
    tap_is_str(p->namespace, "default", "namespace defaults to default");
    tap_is_int(p->restart_policy, RESTART_ALWAYS, "restartPolicy defaults to Always");
    tap_is_int(p->termination_grace_period_seconds, 30, "grace defaults to 30");
    tap_is_int(p->containers[0].pull_policy, PULL_ALWAYS, "untagged image: Always");
    tap_is_int(p->containers[1].pull_policy, PULL_IF_NOT_PRESENT, "tagged image: IfNotPresent");
    tap_is_str(p->containers[0].termination_message_path, "/dev/termination-log",
               "terminationMessagePath defaults to /dev/termination-log");
    tap_is_int(p->containers[0].termination_message_policy, TERMINATION_MESSAGE_FILE,
               "terminationMessagePolicy defaults to File");
    json_t *j = pod_to_json(p);
    struct pod *back = NULL;
    orc_error_t err = NULL;
    tap_is_int(pod_from_json(j, &back, &err), 0, "pod_from_json accepts pod_to_json");
    json_t *again = pod_to_json(back);
    tap_ok(json_equal(j, again), "round trip is exact");
    pod_free(back);
    back = NULL;
    /* a pod stored before orc knew the termination message fields */
    json_t *c0 = json_array_get(json_object_get(json_object_get(j, "spec"), "containers"), 0);
    json_object_del(c0, "terminationMessagePath");
    json_object_del(c0, "terminationMessagePolicy");
    tap_is_int(pod_from_json(j, &back, &err), 0, "a stored container without them is read");
    tap_is_str(back->containers[0].termination_message_path, "/dev/termination-log",
               "with the default path");
    tap_is_int(back->containers[0].termination_message_policy, TERMINATION_MESSAGE_FILE,
               "and the default policy");
    pod_free(back);
    back = NULL;
    json_object_set_new(c0, "terminationMessagePolicy", json_string("Logs"));
    tap_ok(pod_from_json(j, &back, &err) < 0, "a stored policy orc does not know is refused");
    tap_ok(back == NULL, "and gives no pod");
    orc_error_release(&err);
    json_decref(j);
    json_decref(again);
    manifest_result_free(r);
}

static void test_flow_and_multi(void)
{
    struct manifest_result *r = parse(
        "{apiVersion: \"v1\", kind: \"Pod\", metadata: {name: \"x\"}, spec: {containers: "
        "[{name: \"c\", image: \"busybox\", command: [\"sh\", \"-c\", \"true\"],},],},}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: y # comment\nspec:\n  containers:\n"
        "  - {name: c, image: busybox}\n");
    tap_is_int(r->n_errors, 0, "flow style with trailing commas and a block document parse");
    tap_is_int(r->n_docs, 2, "two documents");
    tap_is_str(r->docs[0].pod->containers[0].command[2], "true", "flow sequence read");
    tap_is_str(r->docs[1].pod->name, "y", "comment stripped");
    manifest_result_free(r);
}

static void test_errors(void)
{
    struct manifest_result *r = parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: w\nspec:\n"
                                      "  containers:\n  - name: c\n    image: busybox\n"
                                      "    ports:\n    - containerPort: http\n");
    tap_ok(has_error(r, "t.yaml:10:22: spec.containers[0].ports[0].containerPort: expected "
                        "integer, got string \"http\""),
           "wrong type names file:line:col and path");
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: d}\nspec:\n  containers:\n"
              "  - {name: c, image: busybox}\n  - {name: c, image: busybox}\n");
    tap_ok(has_error(r, "t.yaml:7:12: spec.containers[1].name: Duplicate value: \"c\""),
           "duplicate container name");
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: e}\nspec:\n  containers:\n"
              "  - name: c\n    image: busybox\n    env: [{name: N, value: 1}]\n");
    tap_ok(has_error(r, "spec.containers[0].env[0].value: expected string, got integer 1"),
           "a number for a string field is refused");
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: s}\nspec:\n  containers: [\n");
    tap_ok(only_error(r, "t.yaml:6:1: did not find expected node content"),
           "a syntax error has libyaml's message and a position");
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n  schedulerName: b\n"
              "  containers:\n  - {name: c, image: busybox, imagex: y}\n");
    tap_is_int(r->n_errors, 0, "unknown fields are not errors");
    tap_ok(has_warning(r, "unknown field \"spec.containers[0].imagex\""), "unknown field warned");
    tap_ok(has_warning(r, "spec.schedulerName: not supported yet by orc, ignored"),
           "unimplemented field warned");
    size_t unknown = 0;
    for (size_t i = 0; i < r->n_warnings; i++)
        if (r->warnings[i].unknown_field) {
            unknown++;
            tap_is_str(r->warnings[i].message, "unknown field \"spec.containers[0].imagex\"",
                       "the unknown field is marked as such");
        }
    tap_is_int(unknown, 1, "only the unknown field is marked (strict validation refuses it)");
    manifest_result_free(r);
    r = parse("");
    tap_ok(only_error(r, "t.yaml: no objects passed to apply"), "empty input: nothing to apply");
    manifest_result_free(r);
}

/* Kinds orc does not serve: one line, bounded, whatever the stream holds. */
static void test_unserved_kinds(void)
{
    struct manifest_result *r = NULL;
    const char *only = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n";
    tap_is_int(
        manifest_parse_with(only, strlen(only), "t.yaml", NULL, MANIFEST_SKIP_UNSUPPORTED, &r), 0,
        "a stream of skipped kinds only is no error with --skip-unsupported");
    tap_ok(r->n_docs == 0 && r->n_warnings == 1, "nothing to apply, one warning");
    manifest_result_free(r);
    _cleanup_free_ char *many = xstrdup("");
    for (int i = 0; i < 37; i++) {
        /* 7 Services, then 30 kinds of their own */
        char *doc = xasprintf("%s---\napiVersion: v1\nkind: %s%d\n", many, i < 7 ? "Service" : "K",
                              i < 7 ? 0 : i);
        free(many);
        many = doc;
    }
    r = parse(many);
    _cleanup_free_ char *e = r->n_errors == 1 ? manifest_diag_format(&r->errors[0]) : NULL;
    tap_ok(e && strstr(e, "Service0 (v1) at lines 3, 6, 9, 12, 15 and 2 more; K7 (v1)") &&
               strstr(e, "K25 (v1) at line 78; 11 documents of other kinds (orc serves"),
           "one error, five lines a kind, twenty kinds: %s", e ? e : "(none)");
    manifest_result_free(r);
}

static void test_host_ports(void)
{
    struct manifest_result *r =
        parse("apiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  containers:\n"
              "  - {name: a, image: busybox, ports: [{containerPort: 80, hostPort: 8080}]}\n"
              "  - {name: b, image: busybox, ports: [{containerPort: 81, hostPort: 8080}]}\n");
    tap_ok(has_error(r, "t.yaml:7:69: spec.containers[1].ports[0].hostPort: Duplicate value: "
                        "\"8080/TCP\""),
           "a host port claimed twice in one pod");
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  containers:\n"
              "  - name: a\n    image: busybox\n    ports:\n"
              "    - {containerPort: 80, hostPort: 8080}\n"
              "    - {containerPort: 80, hostPort: 8080, protocol: UDP}\n"
              "    - {containerPort: 81, hostPort: 8080, hostIP: 127.0.0.1}\n");
    tap_ok(r->n_errors == 0, "the same number with another protocol or address is fine");
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  containers:\n"
              "  - name: a\n    image: busybox\n    ports:\n"
              "    - {containerPort: 80, hostPort: 8080, protocol: SCTP}\n");
    tap_ok(r->n_errors == 0 && has_warning(r, "spec.containers[0].ports[0].hostPort: SCTP host "
                                              "ports are not supported"),
           "an SCTP host port is a warning naming the field");
    manifest_result_free(r);
}

static void test_quantities(void)
{
    struct {
        const char *text;
        long long milli;
        int rc;
    } cases[] = {{"500m", 500, 0},
                 {"0.5", 500, 0},
                 {"2", 2000, 0},
                 {"64Mi", 67108864000LL, 0},
                 {"1G", 1000000000000LL, 0},
                 {"1e3", 1000000, 0},
                 {"1.5Ki", 1536000, 0},
                 {"1n", 1, 0},
                 {"+3", 3000, 0},
                 {"-1", -1000, 0},
                 {"0", 0, 0},
                 {"abc", 0, -EINVAL},
                 {"", 0, -EINVAL},
                 {"1.2.3", 0, -EINVAL},
                 {"5Zi", 0, -EINVAL},
                 {"12Ei", 0, -ERANGE},
                 {"1e", 0, -EINVAL},
                 {"m", 0, -EINVAL}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 0;
        int rc = quantity_parse_milli(cases[i].text, &v);
        tap_ok(rc == cases[i].rc && (rc < 0 || v == cases[i].milli), "quantity \"%s\" -> %lld (%d)",
               cases[i].text, (long long) v, rc);
    }
}

static void test_resources(void)
{
    struct manifest_result *r =
        parse("apiVersion: v1\nkind: Pod\nmetadata: {name: r}\nspec:\n  containers:\n"
              "  - name: c\n    image: busybox\n    resources:\n"
              "      limits: {cpu: 500m, memory: 64Mi, nvidia.com/gpu: 1}\n"
              "      requests: {cpu: \"0.25\"}\n");
    tap_ok(r->n_errors == 0, "resources parse");
    const struct container_resources *res = &r->docs[0].pod->containers[0].resources;
    tap_ok(res->cpu_limit == 500 && res->cpu_request == 250, "cpu limit and request");
    tap_ok(res->memory_limit == 67108864 && res->memory_request == 67108864,
           "memory limit; the request defaults to it");
    tap_ok(has_warning(r, "resources.limits.nvidia.com/gpu: not supported by orc, ignored"),
           "other resources warn, naming the field");
    tap_ok(!has_warning(r, "spec.containers[0].resources:"),
           "cpu and memory need no warning (enforcement is the agent's to report)");
    json_t *j = pod_to_json(r->docs[0].pod);
    json_t *lim = json_object_get(
        json_object_get(
            json_object_get(
                json_array_get(json_object_get(json_object_get(j, "spec"), "containers"), 0),
                "resources"),
            "limits"),
        "cpu");
    tap_is_str(json_string_value(lim), "500m", "canonical cpu quantity in JSON");
    struct pod *back = NULL;
    orc_error_t err = NULL;
    tap_ok(pod_from_json(j, &back, &err) == 0 &&
               back->containers[0].resources.memory_limit == 67108864,
           "resources survive the JSON round trip");
    pod_free(back);
    json_decref(j);
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: r}\nspec:\n  containers:\n"
              "  - name: c\n    image: busybox\n    resources:\n"
              "      limits: {cpu: 1, memory: lots}\n      requests: {cpu: 2}\n");
    tap_ok(has_error(r, "spec.containers[0].resources.limits.memory: Invalid value: \"lots\": "
                        "quantities must match"),
           "a bad quantity names its field");
    tap_ok(has_error(r, "spec.containers[0].resources.requests: Invalid value: \"2\": must be "
                        "less than or equal to cpu limit of 1"),
           "a request above its limit, both as written");
    manifest_result_free(r);
    r = parse("apiVersion: v1\nkind: Pod\nmetadata: {name: r}\nspec:\n  containers:\n"
              "  - name: c\n    image: busybox\n    resources: {limits: {memory: -1}}\n");
    tap_ok(only_error(r, "t.yaml:8:34: spec.containers[0].resources.limits.memory: Invalid value: "
                         "\"-1\": must be greater than or equal to 0"),
           "a negative quantity");
    manifest_result_free(r);
}

/* A pod of the given name whose annotation makes it about size bytes. */
static char *sized_pod(const char *name, size_t size)
{
    _cleanup_free_ char *filler = xmalloc(size + 1);
    memset(filler, 'x', size);
    filler[size] = '\0';
    return xasprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  annotations:\n"
                     "    a: \"%s\"\nspec:\n  containers: [{name: c, image: busybox}]\n",
                     name, filler);
}

/* Input over the limit names its file and its largest document. */
static void test_oversize(void)
{
    _cleanup_free_ char *big = sized_pod("big", 5u << 20);
    struct manifest_result *r = parse(big);
    _cleanup_free_ char *want =
        xasprintf("t.yaml:1:1: input is %zu bytes, more than the limit of 3145728 bytes (3 MiB) "
                  "for one apply: Pod \"big\" alone is %zu bytes",
                  strlen(big), strlen(big));
    tap_ok(only_error(r, want), "an oversized pod is named");
    manifest_result_free(r);
    _cleanup_free_ char *checked = manifest_check_size(big, strlen(big), "big.yaml");
    tap_ok(checked && !strncmp(checked, "big.yaml:1:1: input is ", 23) &&
               strstr(checked, "Pod \"big\" alone is"),
           "manifest_check_size gives the same diagnostic: %s", checked ? checked : "(null)");
    tap_ok(manifest_check_size("kind: Pod\n", 10, "small.yaml") == NULL,
           "manifest_check_size: nothing to say within the limit");

    /* forty pods of 100 KiB and one of 200 KiB, the 9th document ("---" at line 8 * 9 + 1) */
    _cleanup_free_ char *stream = xstrdup("");
    size_t largest = 0;
    for (int i = 0; i < 41; i++) {
        _cleanup_free_ char *name = xasprintf("p%d", i);
        _cleanup_free_ char *pod = sized_pod(name, i == 8 ? 200u << 10 : 100u << 10);
        char *joined = xasprintf("%s---\n%s", stream, pod);
        free(stream);
        stream = joined;
        if (i == 8)
            largest = strlen("---\n") + strlen(pod);
    }
    r = parse(stream);
    _cleanup_free_ char *want2 = xasprintf(
        "t.yaml:73:1: input is %zu bytes, more than the limit of 3145728 bytes (3 MiB) for one "
        "apply: apply its 41 documents in several files (the largest, Pod \"p8\", is %zu bytes)",
        strlen(stream), largest);
    tap_ok(only_error(r, want2), "a stream over the limit is told to split, naming its largest");
    manifest_result_free(r);
}

static void test_limits(void)
{
    /* billion laughs: 9^9 nodes if expanded */
    char *bomb = xstrdup("apiVersion: v1\nkind: Pod\nmetadata:\n  name: lol\n"
                         "  annotations:\n    a: &a [x,x,x,x,x,x,x,x,x]\n");
    const char *names = "abcdefghi";
    for (int i = 1; i < 9; i++) {
        char *line =
            xasprintf("    %c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", names[i], names[i],
                      names[i - 1], names[i - 1], names[i - 1], names[i - 1], names[i - 1],
                      names[i - 1], names[i - 1], names[i - 1], names[i - 1]);
        char *joined = xasprintf("%s%s", bomb, line);
        free(bomb);
        free(line);
        bomb = joined;
    }
    clock_t t0 = clock();
    struct manifest_result *r = parse(bomb);
    double secs = (double) (clock() - t0) / CLOCKS_PER_SEC;
    tap_ok(only_error(r, "t.yaml:12:15: document expands to more than 1000000 nodes (alias bomb?)"),
           "billion laughs is rejected");
    tap_ok(secs < 2.0, "and quickly (%.3f s)", secs);
    manifest_result_free(r);
    free(bomb);

    size_t big = 5u * 1024 * 1024;
    char *huge = xmalloc(big + 1);
    memset(huge, '#', big);
    huge[big] = '\0';
    r = parse(huge);
    tap_ok(only_error(r, "t.yaml: input is 5242880 bytes, more than the limit of 3145728 bytes "
                         "(3 MiB)"),
           "5 MiB input is rejected");
    manifest_result_free(r);
    free(huge);

    test_oversize();

    /* annotations: 256 KiB in all, keys included ("a" and its value) */
    _cleanup_free_ char *at_limit = sized_pod("edge", (256u << 10) - 1);
    r = parse(at_limit);
    tap_ok(r->n_errors == 0, "annotations of 262144 bytes in all are accepted");
    manifest_result_free(r);
    _cleanup_free_ char *over = sized_pod("edge", 256u << 10);
    r = parse(over);
    tap_ok(only_error(r, "t.yaml:6:5: metadata.annotations: Too long: must have at most 262144 "
                         "bytes"),
           "one byte more is refused, as Kubernetes does");
    manifest_result_free(r);
    _cleanup_free_ char *mib = sized_pod("mib", 1u << 20);
    r = parse(mib);
    tap_ok(has_error(r, "metadata.annotations: Too long"), "so is a 1 MiB annotation");
    manifest_result_free(r);

    char deep[512] = "a: ";
    for (int i = 0; i < 150; i++)
        strcat(deep, "[");
    r = parse(deep);
    tap_ok(only_error(r, "t.yaml:1:103: nesting deeper than 100 levels"),
           "deep nesting is rejected");
    manifest_result_free(r);

    r = parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n");
    tap_ok(only_error(r, "t.yaml:4:12: input is not valid UTF-8"), "non-UTF-8 is rejected");
    manifest_result_free(r);
}

/* The values of the lines "# <key>: value" of a testdata file, in order. */
static char **annotations(const char *buf, size_t len, const char *key)
{
    _cleanup_free_ char *prefix = xasprintf("# %s: ", key);
    size_t plen = strlen(prefix);
    char **v = NULL;
    for (const char *line = buf; line && line < buf + len;) {
        const char *nl = memchr(line, '\n', buf + len - line);
        size_t n = nl ? (size_t) (nl - line) : (size_t) (buf + len - line);
        if (n >= plen && memcmp(line, prefix, plen) == 0) {
            _cleanup_free_ char *value = xstrndup(line + plen, n - plen);
            v = strv_push(v, value);
        }
        line = nl ? nl + 1 : NULL;
    }
    return v;
}

/* Every diagnostic is one of the expected ones ("line:col: path: message" after the file
 * name) and every expected one is there, each once. */
static bool diags_match(const char *what, const char *file, const struct manifest_diag *diags,
                        size_t n, char **expected)
{
    size_t n_expected = strv_length(expected);
    _cleanup_free_ bool *seen = new0(bool, n_expected + 1);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *s = manifest_diag_format(&diags[i]);
        size_t flen = strlen(file);
        size_t j = n_expected;
        if (strncmp(s, file, flen) == 0 && s[flen] == ':')
            for (j = 0; j < n_expected; j++)
                if (!seen[j] && strcmp(s + flen + 1, expected[j]) == 0)
                    break;
        if (j < n_expected)
            seen[j] = true;
        else {
            printf("#   unexpected %s: %s\n", what, s);
            ok = false;
        }
    }
    for (size_t j = 0; j < n_expected; j++)
        if (!seen[j]) {
            printf("#   missing %s: %s:%s\n", what, file, expected[j]);
            ok = false;
        }
    return ok;
}

/* Diagnostics come in the order of their positions (line, then column). */
static bool diags_in_order(const char *what, const struct manifest_diag *d, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (d[i].line < d[i - 1].line ||
            (d[i].line == d[i - 1].line && d[i].column < d[i - 1].column)) {
            printf("#   %s %zu at %d:%d comes after one at %d:%d\n", what, i, d[i].line,
                   d[i].column, d[i - 1].line, d[i - 1].column);
            return false;
        }
    return true;
}

/* Looks up a path such as "[1].spec.containers[0].name" in an array of documents. */
static json_t *json_at(json_t *j, const char *path)
{
    const char *p = path;
    while (j && *p) {
        if (*p == '[') {
            char *end;
            unsigned long i = strtoul(p + 1, &end, 10);
            if (end == p + 1 || *end != ']')
                return NULL;
            j = json_array_get(j, i);
            p = end + 1;
        } else if (*p == '.') {
            size_t n = strcspn(p + 1, ".[");
            _cleanup_free_ char *key = xstrndup(p + 1, n);
            j = json_object_get(j, key);
            p += 1 + n;
        } else
            return NULL;
    }
    return j;
}

/* "# check: PATH = JSON": the parsed documents, as pod_to_json shows them, hold JSON at PATH. */
static bool checks_hold(const char *file, const struct manifest_result *r, char **checks)
{
    json_auto_t *docs = json_array();
    for (size_t i = 0; i < r->n_docs; i++)
        json_array_append_new(docs, r->docs[i].pod      ? pod_to_json(r->docs[i].pod)
                                    : r->docs[i].object ? json_incref(r->docs[i].object)
                                                        : json_null());
    bool ok = true;
    for (char **c = checks; c && *c; c++) {
        const char *eq = strstr(*c, " = ");
        _cleanup_free_ char *path = eq ? xstrndup(*c, eq - *c) : NULL;
        json_auto_t *want = eq ? json_loads(eq + 3, JSON_DECODE_ANY, NULL) : NULL;
        json_t *got = path ? json_at(docs, path) : NULL;
        if (!want || !got || !json_equal(got, want)) {
            _cleanup_free_ char *dump =
                got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
            printf("#   %s: check \"%s\" fails: got %s\n", file, *c, dump ? dump : "nothing");
            ok = false;
        }
    }
    return ok;
}

/* pod_to_json, pod_from_json and pod_to_json again give the same JSON. */
static bool round_trips(const struct pod *pod)
{
    json_auto_t *j = pod_to_json(pod);
    struct pod *back = NULL;
    orc_error_t err = NULL;
    if (pod_from_json(j, &back, &err) < 0) {
        printf("#   pod_from_json: %s\n", orc_error_message(err));
        orc_error_release(&err);
        return false;
    }
    json_auto_t *again = pod_to_json(back);
    pod_free(back);
    return json_equal(j, again);
}

/* A testdata file declares what it must give: "# expect:" lines the errors, "# warning:"
 * lines the warnings (each exactly, listed in any order; the parser must give them in the
 * order of their positions), "# documents:" how many documents and "# check:" lines
 * properties of the result; "# flags: skip-unsupported" parses it as orc apply
 * --skip-unsupported does. */
static void test_file(const char *dir, const char *name, bool valid)
{
    _cleanup_free_ char *path = orc_path_join(dir, name);
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    orc_error_t err = NULL;
    if (orc_read_file(path, 8u << 20, &buf, &len, &err) < 0) {
        tap_ok(false, "read %s", path);
        orc_error_release(&err);
        return;
    }
    _cleanup_(strv_freep) char **errors = annotations(buf, len, "expect");
    _cleanup_(strv_freep) char **warnings = annotations(buf, len, "warning");
    _cleanup_(strv_freep) char **docs = annotations(buf, len, "documents");
    _cleanup_(strv_freep) char **checks = annotations(buf, len, "check");
    _cleanup_(strv_freep) char **flags = annotations(buf, len, "flags");
    bool skip = flags && !strcmp(flags[0], "skip-unsupported");
    if (flags && (!skip || flags[1]))
        tap_ok(false, "%s: unknown flags line \"%s\"", name, flags[0]);
    struct manifest_result *r = NULL;
    int rc = manifest_parse_with(buf, len, name, NULL, skip ? MANIFEST_SKIP_UNSUPPORTED : 0, &r);
    if (valid)
        tap_ok(rc == 0 && !errors, "%s is valid", name);
    else
        tap_ok(rc == -EINVAL && errors, "%s is invalid and says which errors it expects", name);
    tap_ok(diags_match("error", name, r->errors, r->n_errors, errors), "%s: errors as expected",
           name);
    tap_ok(diags_match("warning", name, r->warnings, r->n_warnings, warnings),
           "%s: warnings as expected", name);
    tap_ok(diags_in_order("error", r->errors, r->n_errors) &&
               diags_in_order("warning", r->warnings, r->n_warnings),
           "%s: diagnostics in line order", name);
    if (docs)
        tap_is_int(r->n_docs, atoi(docs[0]), "%s: %s documents", name, docs[0]);
    if (checks)
        tap_ok(checks_hold(name, r, checks), "%s: %zu checks hold", name, strv_length(checks));
    for (size_t i = 0; valid && i < r->n_docs; i++)
        if (r->docs[i].pod) /* ConfigMaps and Secrets are JSON already */
            tap_ok(round_trips(r->docs[i].pod), "%s: document %zu survives pod_from_json", name, i);
    manifest_result_free(r);
}

static void test_dir(const char *dir, bool valid)
{
    DIR *d = opendir(dir);
    tap_ok(d != NULL, "open %s", dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        test_file(dir, e->d_name, valid);
        n++;
    }
    tap_ok(n > 0, "%s has %d manifests", dir, n);
    if (d)
        closedir(d);
}

static void test_names(void)
{
    tap_ok(manifest_is_dns1123_label("web-1"), "label ok");
    tap_ok(!manifest_is_dns1123_label("Web"), "uppercase label refused");
    tap_ok(!manifest_is_dns1123_label("-a"), "leading dash refused");
    tap_ok(manifest_is_dns1123_subdomain("a.b-c.d"), "subdomain ok");
    tap_ok(!manifest_is_dns1123_subdomain("a..b"), "empty label refused");
}

int main(void)
{
    test_defaults_and_roundtrip();
    test_flow_and_multi();
    test_errors();
    test_unserved_kinds();
    test_host_ports();
    test_quantities();
    test_resources();
    test_limits();
    test_names();
    test_dir(TESTDATA_DIR "/valid", true);
    test_dir(TESTDATA_DIR "/invalid", false);
    test_dir(EXAMPLES_DIR, true);
    return tap_done();
}
