/* SPDX-License-Identifier: Apache-2.0 */
/* nodeSelector and required node affinity against a node's labels and name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "tap.h"
#include "xalloc.h"

static struct manifest_result *parse_spec(const char *spec_lines)
{
    char *text = xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                           "spec:\n  containers: [{name: c, image: busybox}]\n%s",
                           spec_lines);
    struct manifest_result *r = NULL;
    (void) manifest_parse(text, strlen(text), "t.yaml", &r);
    free(text);
    return r;
}

static bool matches(const char *spec_lines, const char *labels_json)
{
    struct manifest_result *r = parse_spec(spec_lines);
    json_t *labels = json_loads(labels_json, 0, NULL);
    bool ok = r && r->n_errors == 0 && r->n_docs == 1 &&
              pod_node_matches(r->docs[0].pod, labels, "node-1");
    for (size_t i = 0; r && i < r->n_errors; i++)
        fprintf(stderr, "# %s: %s\n", r->errors[i].path, r->errors[i].message);
    json_decref(labels);
    manifest_result_free(r);
    return ok;
}

static const char *first_error(const char *spec_lines, char *buf, size_t size)
{
    struct manifest_result *r = parse_spec(spec_lines);
    snprintf(buf, size, "%s: %s", r && r->n_errors ? r->errors[0].path : "",
             r && r->n_errors ? r->errors[0].message : "(none)");
    manifest_result_free(r);
    return buf;
}

#define REQUIRED                                                                                   \
    "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"      \
    "        nodeSelectorTerms:\n"

int main(void)
{
    const char *node = "{\"disktype\": \"ssd\", \"kubernetes.io/os\": \"linux\", \"cores\": \"8\"}";
    tap_ok(matches("", node), "no selector: any node");
    tap_ok(matches("  nodeSelector: {disktype: ssd}\n", node), "nodeSelector matches");
    tap_ok(!matches("  nodeSelector: {disktype: hdd}\n", node), "a different value does not");
    tap_ok(!matches("  nodeSelector: {disktype: ssd, zone: a}\n", node), "every label must match");
    tap_ok(matches(REQUIRED "        - matchExpressions: [{key: disktype, operator: In, values: "
                            "[hdd, ssd]}]\n",
                   node),
           "In");
    tap_ok(!matches(REQUIRED "        - matchExpressions: [{key: disktype, operator: NotIn, "
                             "values: [ssd]}]\n",
                    node),
           "NotIn");
    tap_ok(matches(REQUIRED "        - matchExpressions: [{key: zone, operator: NotIn, values: "
                            "[a]}]\n",
                   node),
           "NotIn matches a missing label");
    tap_ok(matches(REQUIRED "        - matchExpressions: [{key: disktype, operator: Exists}, "
                            "{key: gpu, operator: DoesNotExist}]\n",
                   node),
           "Exists and DoesNotExist, ANDed");
    tap_ok(matches(REQUIRED "        - matchExpressions: [{key: cores, operator: Gt, values: "
                            "[\"4\"]}, {key: cores, operator: Lt, values: [\"16\"]}]\n",
                   node),
           "Gt and Lt compare integers");
    tap_ok(!matches(REQUIRED "        - matchExpressions: [{key: cores, operator: Gt, values: "
                             "[\"8\"]}]\n",
                    node),
           "Gt is strict");
    tap_ok(matches(REQUIRED "        - matchExpressions: [{key: gpu, operator: Exists}]\n"
                            "        - matchFields: [{key: metadata.name, operator: In, values: "
                            "[node-1]}]\n",
                   node),
           "terms are ORed; matchFields metadata.name");
    tap_ok(!matches(REQUIRED "        - matchFields: [{key: metadata.name, operator: NotIn, "
                             "values: [node-1]}]\n",
                    node),
           "matchFields NotIn the node's name");
    tap_ok(!matches(REQUIRED "        - {}\n", node), "an empty term matches nothing");
    tap_ok(matches("  affinity:\n    nodeAffinity:\n      "
                   "preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: "
                   "{}}]\n",
                   node),
           "preferences do not restrict");

    char buf[1024];
    tap_is_str(first_error(REQUIRED "        - matchExpressions: [{key: a, operator: Near}]\n", buf,
                           sizeof(buf)),
               "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
               "nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"Near\": not a "
               "valid selector operator",
               "an unknown operator");
    tap_is_str(first_error(REQUIRED "        - matchExpressions: [{key: a, operator: In}]\n", buf,
                           sizeof(buf)),
               "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
               "nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be "
               "specified when `operator` is 'In' or 'NotIn'",
               "In without values");
    tap_is_str(first_error(REQUIRED "        - matchExpressions: [{key: a, operator: Exists, "
                                    "values: [x]}]\n",
                           buf, sizeof(buf)),
               "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
               "nodeSelectorTerms[0].matchExpressions[0].values: Forbidden: may not be specified "
               "when `operator` is 'Exists' or 'DoesNotExist'",
               "Exists with values");
    tap_is_str(first_error(REQUIRED "        - matchFields: [{key: metadata.uid, operator: In, "
                                    "values: [x]}]\n",
                           buf, sizeof(buf)),
               "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
               "nodeSelectorTerms[0].matchFields[0].key: Invalid value: \"metadata.uid\": not a "
               "valid field selector key",
               "matchFields names metadata.name only");
    tap_is_str(first_error("  affinity:\n    nodeAffinity:\n      "
                           "requiredDuringSchedulingIgnoredDuringExecution:\n        "
                           "nodeSelectorTerms: []\n",
                           buf, sizeof(buf)),
               "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
               "nodeSelectorTerms: Required value: must have at least one node selector term",
               "no term");
    tap_is_str(first_error("  nodeSelector: {\"-bad\": x}\n", buf, sizeof(buf)),
               "spec.nodeSelector.-bad: name part must consist of alphanumeric characters, '-', "
               "'_' or '.', and must start and end with an alphanumeric character (63 characters "
               "at most)",
               "nodeSelector keys are label keys");
    return tap_done();
}
