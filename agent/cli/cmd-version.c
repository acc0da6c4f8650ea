/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "json-util.h"

int cmd_version(struct client *c, int argc, char **argv)
{
    if (cli_want_help(argc, argv)) {
        puts("Print the client and agent versions.\n\nUsage: orc version [--client]");
        return 0;
    }
    printf("Client Version: v%s\n", ORC_VERSION);
    if (argc > 1 && !strcmp(argv[1], "--client"))
        return 0;
    struct reply rep;
    orc_error_t err = NULL;
    if (client_do(c, "GET", "/version", NULL, 0, &rep, &err) < 0)
        return cli_fail(&err);
    json_auto_t *j = reply_json(&rep);
    printf("Server Version: %s\n", orc_json_str(j, "gitVersion") ?: "unknown");
    reply_done(&rep);
    return 0;
}
