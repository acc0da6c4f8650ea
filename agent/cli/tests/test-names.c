/* SPDX-License-Identifier: Apache-2.0 */
/* The names `orc delete -f` reads from manifests. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "tap.h"

static void check(const char *text, int want_rc, size_t want_n, const char *want, const char *what)
{
    struct object_name *names = NULL;
    size_t n = 99;
    int rc = manifest_object_names(text, strlen(text), &names, &n);
    tap_is_int(rc, want_rc, "%s: result", what);
    tap_is_int(n, want_n, "%s: count", what);
    /* want: "ns/name,ns/name" with "-" for no namespace */
    char got[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s/%s", i ? "," : "",
                 names[i].ns ? names[i].ns : "-", names[i].name);
    tap_is_str(got, want, "%s: names", what);
    object_names_free(names, n);
}

int main(void)
{
    check("kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata:\n  name: b\n"
          "  namespace: x\n---\nkind: Service\nmetadata: {name: s}\n",
          0, 2, "-/a,x/b", "a stream: pods only, namespaces when given");
    check("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"j\"}}", 0, 1, "-/j",
          "JSON is YAML");
    check("---\n# only a comment\n---\nkind: Pod\nmetadata: {name: c}\n", 0, 1, "-/c",
          "empty documents are skipped");
    check("kind: Pod\nmetadata: {namespace: x}\n", 0, 0, "", "a pod without a name is skipped");
    check("kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: [\n", -1, 1, "-/a",
          "a syntax error: what came before, and -1");
    check("", 0, 0, "", "empty input");
    check("kind: Pod\nmetadata:\n  name: &n x\n---\nkind: Pod\nmetadata: {name: y}\n", 0, 2,
          "-/x,-/y", "anchors are fine");
    return tap_done();
}
