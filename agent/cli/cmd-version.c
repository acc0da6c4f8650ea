/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "json-util.h"

static const char help[] =
    "NAME\n"
    "    orc version - print the client and agent versions\n"
    "\n"
    "SYNOPSIS\n"
    "    orc version [--client]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints \"Client Version: vX.Y.Z\", then asks the agent (GET /version) and prints\n"
    "    \"Server Version: vX.Y.Z\". When the agent cannot be reached, says so and exits 1.\n"
    "\n"
    "OPTIONS\n"
    "    --client  only the client version; the agent is not contacted\n";

int cmd_version(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    static const struct option opts[] = {{"client", no_argument, NULL, 'C'}, {0}};
    bool client_only = false;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (opt != 'C')
            return cli_getopt_error("version", opt, argv);
        client_only = true;
    }
    if (optind < argc)
        return cli_usage_error("version", "unexpected argument \"%s\"", argv[optind]);
    printf("Client Version: v%s\n", ORC_VERSION);
    fflush(stdout);
    if (client_only)
        return 0;
    json_auto_t *j = NULL;
    if (client_call(c, "GET", "/version", NULL, 0, &j))
        return 1;
    printf("Server Version: %s\n", orc_json_str(j, "gitVersion") ?: "unknown");
    return 0;
}
