/* SPDX-License-Identifier: Apache-2.0 */
/* orc: the command-line client of orcd, shaped after kubectl. */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "fd-util.h"
#include "fs-util.h"
#include "xalloc.h"

static const char usage[] =
    "orc controls the orc agent (orcd): rootless pods from Kubernetes YAML.\n"
    "\n"
    "Usage: orc [--socket PATH] [-n NAMESPACE | -A] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  apply -f FILE|DIR|-          create or update pods from manifests\n"
    "  get pods [NAME] [-o FORMAT]  list pods (FORMAT: wide, json, yaml, name)\n"
    "  describe pod NAME            show a pod in detail, with its events\n"
    "  delete pod NAME... | -f FILE delete pods and wait until they are gone\n"
    "  logs NAME [-c C] [-f] [-p]   print a container's logs\n"
    "  events [--for pod/NAME]      list events\n"
    "  image load|ls|rm             manage local images (also: images, rmi)\n"
    "  version                      print client and agent versions\n"
    "\n"
    "Global options:\n"
    "  --socket PATH      the agent's socket (default $XDG_RUNTIME_DIR/orc/orcd.sock,\n"
    "                     or $ORC_SOCKET)\n"
    "  -n, --namespace NS namespace (default: default)\n"
    "  -A, --all-namespaces\n"
    "  -h, --help         help; 'orc COMMAND --help' for a command\n";

struct verb {
    const char *name;
    int (*fn)(struct client *, int, char **);
};

static const struct verb verbs[] = {
    {"apply", cmd_apply},     {"get", cmd_get},       {"describe", cmd_describe},
    {"delete", cmd_delete},   {"logs", cmd_logs},     {"events", cmd_events},
    {"image", cmd_image},     {"images", cmd_image},  {"rmi", cmd_image},
    {"version", cmd_version},
};

int cli_fail(orc_error_t *err)
{
    fprintf(stderr, "error: %s\n", orc_error_message(*err));
    orc_error_release(err);
    return 1;
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nSee 'orc %s --help' for usage.\n", verb);
    return 1;
}

bool cli_want_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return true;
    return false;
}

static char *default_socket(void)
{
    const char *env = getenv("ORC_SOCKET");
    if (env && *env)
        return xstrdup(env);
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (rt && *rt == '/')
        return xasprintf("%s/orc/orcd.sock", rt);
    return xasprintf("/tmp/orc-%u/orcd.sock", (unsigned) getuid());
}

/* Global options may come before the verb; -n/-A also after it (handled here too). */
static int take_globals(struct client *c, int *argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-n") || !strcmp(a, "--namespace") || !strcmp(a, "--socket")) &&
            i + 1 < *argc) {
            if (a[2] == 's')
                c->socket = xstrdup(argv[i + 1]);
            else
                c->ns = argv[i + 1];
            i++;
        } else if (!strncmp(a, "--namespace=", 12)) {
            c->ns = a + 12;
        } else if (!strncmp(a, "--socket=", 9)) {
            c->socket = xstrdup(a + 9);
        } else if (!strcmp(a, "-A") || !strcmp(a, "--all-namespaces")) {
            c->all_ns = 1;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    struct client c = {.ns = "default"};
    argc--, argv++;
    take_globals(&c, &argc, argv);
    if (!c.socket)
        c.socket = default_socket();
    if (argc == 0 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help") ||
        !strcmp(argv[0], "help")) {
        fputs(usage, argc == 0 ? stderr : stdout);
        free(c.socket);
        return argc == 0 ? 1 : 0;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int r = -1;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (!strcmp(argv[0], verbs[i].name))
            r = verbs[i].fn(&c, argc, argv);
    if (r < 0) {
        fprintf(stderr, "error: unknown command \"%s\" for \"orc\"\nRun 'orc --help' for usage.\n",
                argv[0]);
        r = 1;
    }
    curl_global_cleanup();
    free(c.socket);
    return r;
}
