/* SPDX-License-Identifier: Apache-2.0 */
/* -o yaml as kubectl prints it. */
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tap.h"

static char *yaml_of(const char *json)
{
    json_error_t e;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &e);
    if (!j) {
        printf("# bad test JSON: %s\n", e.text);
        abort();
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int r = json_print_yaml(j, f);
    fclose(f);
    json_decref(j);
    if (r < 0) {
        free(buf);
        return strdup("<emit failed>");
    }
    return buf;
}

static void check(const char *json, const char *want, const char *what)
{
    char *got = yaml_of(json);
    tap_is_str(got, want, "%s", what);
    free(got);
}

int main(void)
{
    check("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web\"}}",
          "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n",
          "block style, keys sorted as kubectl prints them, no document marker");
    check("{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"-c\",\"x\"]}]}}",
          "spec:\n  containers:\n  - args:\n    - -c\n    - x\n    name: a\n",
          "sequences inside mappings are not indented (kubectl)");
    check("{\"a\":\"true\",\"b\":\"123\",\"c\":\"1.5\",\"d\":\"null\",\"e\":\"yes\",\"f\":\"\"}",
          "a: \"true\"\nb: \"123\"\nc: \"1.5\"\nd: \"null\"\ne: \"yes\"\nf: \"\"\n",
          "strings that would read back as another type are double-quoted");
    check("{\"t\":\"2023-11-14T22:13:20Z\"}", "t: \"2023-11-14T22:13:20Z\"\n",
          "timestamps are quoted (as kubectl's creationTimestamp)");
    check("{\"a\":true,\"b\":7,\"c\":null,\"d\":2.5}", "a: true\nb: 7\nc: null\nd: 2.5\n",
          "real booleans, numbers and null stay plain");
    check("{\"m\":\"x: y\",\"p\":\"- item\",\"o\":\"plain text\"}",
          "m: 'x: y'\no: plain text\np: '- item'\n",
          "YAML syntax in a string is single-quoted, plain text stays plain");
    check("{\"s\":\"line one\\nline two\\n\"}", "s: |\n  line one\n  line two\n",
          "multi-line strings as literal blocks");
    check("{\"e\":{},\"l\":[]}", "e: {}\nl: []\n", "empty collections in flow style");
    check("{\"true\":\"k\",\"n\":\"y\"}", "\"n\": \"y\"\n\"true\": k\n",
          "keys are quoted by the same rule (YAML 1.1 booleans included)");
    check("{\"u\":\"héllo\"}", "u: héllo\n", "UTF-8 is written as is");
    check("[1,\"two\"]", "- 1\n- two\n", "a top-level sequence");
    return tap_done();
}
