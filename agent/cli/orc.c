/* SPDX-License-Identifier: Apache-2.0 */
/* orc: the command-line client of orcd, shaped after kubectl. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "cmd.h"
#include "xalloc.h"

static const char usage[] =
    "orc controls the orc agent (orcd): rootless pods from Kubernetes YAML.\n"
    "\n"
    "Usage: orc [--socket PATH] [-n NAMESPACE | -A] COMMAND [ARGS] [OPTIONS]\n"
    "       orc COMMAND --help, orc help COMMAND: a command's own page\n"
    "\n"
    "Commands:\n"
    "  apply -f|--filename FILE|DIR|- [-f ...] [--skip-unsupported]\n"
    "        create or update objects from manifests\n"
    "  get pods [NAME...] [-o|--output wide|json|yaml|name] [-w|--watch|--watch-only]\n"
    "        list pods (also: get pod, get po, get pod/NAME); -w: then each change\n"
    "  get configmaps|secrets [NAME...] [-o|--output json|yaml|name]\n"
    "        list ConfigMaps (also: configmap, cm) or Secrets (also: secret)\n"
    "  describe pod [NAME...]\n"
    "        show pods in detail, with their events\n"
    "  delete pod NAME... | pod/NAME... | -f|--filename FILE|DIR|-\n"
    "         [--grace-period N] [--wait=true|false]\n"
    "        delete pods and wait until they are gone\n"
    "  logs [pod/]NAME [-c|--container CONTAINER] [-f|--follow] [-p|--previous]\n"
    "       [--tail N]\n"
    "        print a container's logs\n"
    "  events [--for pod/NAME]\n"
    "        list events, oldest first\n"
    "  image load PATH                        (also: load PATH)\n"
    "  image ls                               (also: images)\n"
    "  image rm REF...                        (also: rmi REF...)\n"
    "  image pull IMAGE                       (also: pull IMAGE)\n"
    "  image inspect IMAGE...\n"
    "  image prune [-a|--all] [-f|--force]\n"
    "        the agent's image store: load an OCI layout or a docker save tarball,\n"
    "        list, remove, pull from a registry, inspect, remove every image no pod\n"
    "        uses\n"
    "  check\n"
    "        what this machine offers orc (no agent needed)\n"
    "  top pods\n"
    "        CPU and memory of pods, from their cgroups\n"
    "  install [--orcd PATH] [-- ORCD-OPTIONS...]\n"
    "  uninstall\n"
    "        run orcd as a systemd user service, or remove it (pods keep running)\n"
    "  version [--client]\n"
    "        print the client and agent versions\n"
    "  kubeconfig [--kubeconfig PATH] [--set-current]\n"
    "        write or merge a context \"orc\" for kubectl into a kubeconfig\n"
    "  unshare [--] [COMMAND [ARG...]]\n"
    "        run a command in orc's user namespace (files of subordinate ids)\n"
    "\n"
    "Global options (before or after the command):\n"
    "  --socket PATH        the agent's socket (default: $ORC_SOCKET, else\n"
    "                       $XDG_RUNTIME_DIR/orc/orcd.sock, else\n"
    "                       /tmp/orc-$UID/orcd.sock)\n"
    "  -n, --namespace NS   the namespace (default: default)\n"
    "  -A, --all-namespaces every namespace (get, describe, top)\n"
    "  -h, --help           this help; 'orc COMMAND --help' for a command\n"
    "\n"
    "Exit status: 0 on success; on any error 1, as kubectl, but 125 for the image\n"
    "commands (image, images, load, pull, rmi), as podman.\n";

/* A verb's function returns 0 or 1; the failure status is the verb's family's: kubectl's
 * 1, or podman's 125 for the image verbs (its status for an error of the tool itself). */
#define EXIT_KUBECTL 1
#define EXIT_PODMAN 125
#define EXIT_OWN -1 /* the verb's own status (orc unshare: the command's) */

struct verb {
    const char *name;
    int (*fn)(struct client *, int, char **);
    int failure;
};

static const struct verb verbs[] = {
    {"apply", cmd_apply, EXIT_KUBECTL},
    {"get", cmd_get, EXIT_KUBECTL},
    {"describe", cmd_describe, EXIT_KUBECTL},
    {"delete", cmd_delete, EXIT_KUBECTL},
    {"logs", cmd_logs, EXIT_KUBECTL},
    {"events", cmd_events, EXIT_KUBECTL},
    {"top", cmd_top, EXIT_KUBECTL},
    {"version", cmd_version, EXIT_KUBECTL},
    {"check", cmd_check, EXIT_KUBECTL},
    {"install", cmd_install, EXIT_KUBECTL},
    {"uninstall", cmd_install, EXIT_KUBECTL},
    {"image", cmd_image, EXIT_PODMAN},
    {"images", cmd_image, EXIT_PODMAN},
    {"rmi", cmd_image, EXIT_PODMAN},
    {"load", cmd_image, EXIT_PODMAN},
    {"pull", cmd_pull, EXIT_PODMAN},
    {"kubeconfig", cmd_kubeconfig, EXIT_KUBECTL},
    {"unshare", cmd_unshare, EXIT_OWN},
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
    if (verb)
        fprintf(stderr, "\nSee 'orc %s --help' for usage.\n", verb);
    else
        fputs("\nRun 'orc --help' for usage.\n", stderr);
    return 1;
}

int cli_getopt_error(const char *verb, int ret, char **argv)
{
    /* the offending word: getopt has moved past it unless a short option group goes on */
    const char *word = optind > 0 ? argv[optind - 1] : NULL;
    if (optopt && (!word || word[0] != '-' || word[1] == '-' || !strchr(word, optopt)) &&
        argv[optind])
        word = argv[optind];
    _cleanup_free_ char *msg = cli_flag_error(ret, optopt, word);
    return cli_usage_error(verb, "%s", msg);
}

bool cli_help(int argc, char **argv, const char *help)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            return true;
        }
    return false;
}

static int dispatch(struct client *c, int argc, char **argv)
{
    for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
        if (!strcmp(argv[0], verbs[i].name)) {
            optind = 1;
            opterr = 0;
            int r = verbs[i].fn(c, argc, argv);
            return r == 0 || verbs[i].failure == EXIT_OWN ? r : verbs[i].failure;
        }
    if (argv[0][0] == '-') {
        _cleanup_free_ char *msg = cli_flag_error('?', argv[0][1] == '-' ? 0 : argv[0][1], argv[0]);
        return cli_usage_error(NULL, "%s", msg);
    }
    return cli_usage_error(NULL, "unknown command \"%s\" for \"orc\"", argv[0]);
}

int main(int argc, char **argv)
{
    struct client c = {.ns = "default"};
    const char *bad = NULL;
    argc--, argv++;
    if (cli_take_globals(&c, &argc, argv, &bad) < 0) {
        _cleanup_free_ char *msg = cli_flag_error(':', bad[1], bad);
        free(c.socket);
        return cli_usage_error(NULL, "%s", msg);
    }
    if (!c.socket)
        c.socket = cli_socket_path(getenv("ORC_SOCKET"), getenv("XDG_RUNTIME_DIR"), getuid());
    char *help_argv[] = {argc > 1 ? argv[1] : NULL, "--help", NULL};
    if (argc > 1 && !strcmp(argv[0], "help")) { /* orc help VERB */
        argc = 2;
        argv = help_argv;
    }
    if (argc == 0 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help") ||
        !strcmp(argv[0], "help")) {
        fputs(usage, stdout);
        free(c.socket);
        return 0;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int r = dispatch(&c, argc, argv);
    curl_global_cleanup();
    free(c.socket);
    return r;
}
