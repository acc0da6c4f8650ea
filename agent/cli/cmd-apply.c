/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "xalloc.h"

static const char help[] =
    "Apply a configuration to pods by file name or stdin.\n"
    "\n"
    "Usage: orc apply -f FILE|DIR|- [-f ...]\n"
    "\n"
    "A directory applies its *.yaml, *.yml and *.json files in name order. Every file is\n"
    "validated as a whole by the agent: one bad document rejects the file and stores nothing.\n"
    "Prints pod/NAME created|configured|unchanged per document.\n";

static int apply_file(struct client *c, const struct input_file *f)
{
    _cleanup_free_ char *name = client_escape(f->name);
    _cleanup_free_ char *path = xasprintf("/apis/orc.dev/v1/apply?filename=%s", name);
    json_auto_t *j = NULL;
    if (client_call(c, "POST", path, f->data, f->len, &j))
        return 1;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "warnings"), i, v)
        fprintf(stderr, "Warning: %s\n", json_string_value(v));
    json_array_foreach(json_object_get(j, "items"), i, v)
        printf("pod/%s %s\n", orc_json_str(v, "name"), orc_json_str(v, "action"));
    return 0;
}

int cmd_apply(struct client *c, int argc, char **argv)
{
    if (cli_want_help(argc, argv)) {
        fputs(help, stdout);
        return 0;
    }
    static const struct option opts[] = {{"filename", required_argument, NULL, 'f'}, {0}};
    struct input_file *files = NULL;
    size_t n = 0;
    int opt, any = 0;
    orc_error_t err = NULL;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
        if (opt != 'f') {
            cli_inputs_free(files, n);
            return cli_usage_error("apply", "unknown flag");
        }
        any = 1;
        if (cli_read_inputs(optarg, &files, &n, &err) < 0) {
            cli_inputs_free(files, n);
            return cli_fail(&err);
        }
    }
    if (!any)
        return cli_usage_error("apply", "must specify one of -f");
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        rc |= apply_file(c, &files[i]);
    cli_inputs_free(files, n);
    return rc;
}
