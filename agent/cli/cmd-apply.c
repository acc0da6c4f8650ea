/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "manifest.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc apply - create or update objects from manifests\n"
    "\n"
    "SYNOPSIS\n"
    "    orc apply -f FILE|DIR|- [-f ...] [-n NAMESPACE] [--skip-unsupported]\n"
    "\n"
    "DESCRIPTION\n"
    "    Sends each file to the agent, which parses, validates and stores its Pod,\n"
    "    ConfigMap, Secret, PersistentVolumeClaim, PersistentVolume and Namespace documents\n"
    "    (and the items of a List) and prints one line per object: KIND/NAME created,\n"
    "    configured or unchanged.\n"
    "    A file is validated as a whole: one bad document rejects the file and nothing of\n"
    "    it is stored; every problem is reported as FILE:LINE:COLUMN: FIELD: MESSAGE.\n"
    "    Documents of kinds orc does not serve yet reject the file too, named in one line.\n"
    "    A file over 3 MiB is refused before it is sent, naming its largest document.\n"
    "    With -n, documents without a namespace go into NAMESPACE, and one that names\n"
    "    another namespace rejects the file, as kubectl does.\n"
    "    Warnings (unknown or unsupported fields) are printed to stderr.\n"
    "\n"
    "OPTIONS\n"
    "    -f, --filename FILE|DIR|-\n"
    "        A manifest file, a directory (its *.yaml, *.yml and *.json files in name\n"
    "        order) or - for stdin. Repeatable.\n"
    "    --skip-unsupported\n"
    "        Skip documents of kinds orc does not serve yet (with a warning) and apply\n"
    "        the rest.\n"
    "\n"
    "EXAMPLES\n"
    "    orc apply -f pod.yaml\n"
    "    helm template chart | orc apply -f - --skip-unsupported\n"
    "    cat pod.yaml | orc apply -f -\n";

static int apply_file(struct client *c, const struct input_file *f, bool skip_unsupported)
{
    /* the agent refuses it too, but can only name the file: the body stops at its limit */
    _cleanup_free_ char *too_large = manifest_check_size(f->data, f->len, f->name);
    if (too_large) {
        fprintf(stderr, "error: %s\n", too_large);
        return 1;
    }
    _cleanup_free_ char *name = client_escape(f->name), *ns = client_escape(c->ns);
    _cleanup_free_ char *in_ns = c->ns_given ? xasprintf("&namespace=%s", ns) : xstrdup("");
    _cleanup_free_ char *path = xasprintf("/apis/orc.dev/v1/apply?filename=%s%s%s", name, in_ns,
                                          skip_unsupported ? "&skipUnsupported=true" : "");
    json_auto_t *j = NULL;
    if (client_call(c, "POST", path, f->data, f->len, &j))
        return 1;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "warnings"), i, v)
        fprintf(stderr, "Warning: %s\n", json_string_value(v) ?: "");
    json_array_foreach(json_object_get(j, "items"), i, v) {
        /* kubectl's words: the kind in lower case, "configmap/game created" */
        _cleanup_free_ char *kind = xstrdup(orc_json_str(v, "kind") ?: "Pod");
        for (char *k = kind; *k; k++)
            *k = (char) tolower((unsigned char) *k);
        printf("%s/%s %s\n", kind, orc_json_str(v, "name") ?: "", orc_json_str(v, "action") ?: "");
    }
    fflush(stdout);
    return 0;
}

int cmd_apply(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    enum { OPT_SKIP_UNSUPPORTED = 0x100 };
    static const struct option opts[] = {
        {"filename", required_argument, NULL, 'f'},
        {"skip-unsupported", no_argument, NULL, OPT_SKIP_UNSUPPORTED},
        {0}};
    struct input_file *files = NULL;
    size_t n = 0;
    int opt, any = 0;
    bool skip_unsupported = false;
    orc_error_t err = NULL;
    while ((opt = getopt_long(argc, argv, ":f:", opts, NULL)) != -1) {
        if (opt == OPT_SKIP_UNSUPPORTED) {
            skip_unsupported = true;
            continue;
        }
        if (opt != 'f') {
            cli_inputs_free(files, n);
            return cli_getopt_error("apply", opt, argv);
        }
        any = 1;
        if (cli_read_inputs(optarg, &files, &n, &err) < 0) {
            cli_inputs_free(files, n);
            return cli_fail(&err);
        }
    }
    if (optind < argc) {
        cli_inputs_free(files, n);
        return cli_usage_error("apply", "unexpected argument \"%s\"", argv[optind]);
    }
    if (!any)
        return cli_usage_error("apply", "must specify one of -f");
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        rc |= apply_file(c, &files[i], skip_unsupported);
    cli_inputs_free(files, n);
    return rc;
}
