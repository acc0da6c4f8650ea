/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni.h"
#include "fd-util.h"

#define CNI_MAX_CONFIG (1 << 20)

static const char *env(const char *name)
{
    return getenv(name);
}

static void print_json(json_t *j)
{
    _cleanup_free_ char *s = json_dumps(j, JSON_COMPACT);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
    }
    fflush(stdout);
}

static int fail(const char *version, orc_error_t *err)
{
    json_auto_t *e = cni_error_json(version, *err);
    print_json(e);
    orc_error_release(err);
    return 1;
}

static int print_version(const struct cni_args *a)
{
    json_auto_t *v = json_pack(
        "{s:s,s:[s,s,s,s]}", "cniVersion",
        a->cni_version && cni_version_supported(a->cni_version) ? a->cni_version : "1.0.0",
        "supportedVersions", "0.3.0", "0.3.1", "0.4.0", "1.0.0");
    print_json(v);
    return 0;
}

static int run(const struct cni_plugin *p, const struct cni_args *a, orc_error_t *err)
{
    switch (a->command) {
    case CNI_ADD: {
        json_t *result = NULL;
        if (p->add(a, &result, err) < 0)
            return -1;
        json_auto_t *out = cni_result_for_version(result, a->cni_version);
        print_json(out);
        return 0;
    }
    case CNI_DEL:
        return p->del(a, err);
    case CNI_CHECK:
        if (!a->prev_result)
            return cni_error(err, CNI_ERR_INVALID_CONFIG, "CHECK needs prevResult");
        return p->check(a, err);
    case CNI_VERSION:
    case _CNI_COMMAND_MAX:
    case _CNI_COMMAND_INVALID:
        break;
    }
    return cni_error(err, CNI_ERR_INVALID_ENV, "unsupported command");
}

int cni_main(int argc, char **argv, const struct cni_plugin *p)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("Usage: CNI_COMMAND=ADD|DEL|CHECK|VERSION CNI_CONTAINERID=ID CNI_NETNS=PATH "
               "CNI_IFNAME=NAME \\\n"
               "           %s < network-configuration.json\n"
               "       %s -h | --help | --version\n"
               "\n%s.\n\n%s\n"
               "The protocol, exit codes and files: cni-plugins/README.md, this plugin's\n"
               "manual: cni-plugins/%s/README.md (in orc's sources and documentation).\n",
               p->name, p->name, p->about, p->usage, p->name);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("%s %s (CNI 0.3.0 0.3.1 0.4.0 1.0.0)\n", p->name, ORC_VERSION);
        return 0;
    }
    orc_error_t err = NULL;
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    const char *cmd = getenv("CNI_COMMAND");
    bool want_stdin = !cmd || strcmp(cmd, "VERSION") != 0 || !isatty(STDIN_FILENO);
    if (want_stdin) {
        int r = orc_read_all(STDIN_FILENO, CNI_MAX_CONFIG, &text, &len);
        if (r < 0) {
            cni_error(&err, CNI_ERR_IO, "reading network configuration from stdin: %s",
                      strerror(-r));
            return fail(NULL, &err);
        }
    }
    struct cni_args a = {0};
    if (cni_args_parse(env, text, len, &a, &err) < 0)
        return fail(NULL, &err);
    int rc = 0;
    if (a.command == CNI_VERSION)
        rc = print_version(&a);
    else if (run(p, &a, &err) < 0)
        rc = fail(a.cni_version, &err);
    cni_args_done(&a);
    return rc;
}
