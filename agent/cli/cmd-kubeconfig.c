/* SPDX-License-Identifier: Apache-2.0 */
/* orc kubeconfig: kubectl's way to the agent, written or merged into a kubeconfig file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "fs-util.h"
#include "kubeconfig.h"
#include "output.h"
#include "xalloc.h"

#define MAX_KUBECONFIG (16 << 20)

static const char help[] =
    "NAME\n"
    "    orc kubeconfig - let kubectl reach the agent\n"
    "\n"
    "SYNOPSIS\n"
    "    orc kubeconfig [--kubeconfig PATH] [--set-current]\n"
    "\n"
    "DESCRIPTION\n"
    "    Asks the agent (GET /apis/orc.dev/v1/kubeconfig, on its unix socket only) for\n"
    "    the way to its HTTPS port on 127.0.0.1 and writes a cluster, a user and a\n"
    "    context, each named \"orc\", into a kubeconfig: the cluster pins the agent's CA\n"
    "    (certificate-authority-data; TLS is never skipped), the user holds a client\n"
    "    certificate and key the CA issued (nothing reusable crosses the connection).\n"
    "    Other clusters, users and contexts stay as they are; entries named \"orc\" are\n"
    "    replaced (the context keeps its namespace). The current context becomes \"orc\"\n"
    "    only when none is set, or with --set-current; otherwise use 'kubectl --context\n"
    "    orc' or 'kubectl config use-context orc'. The file is written whole (a\n"
    "    temporary file renamed), mode 0600, its directory made 0700 when missing, while\n"
    "    holding PATH.lock as kubectl does. Run it again after the agent's port or\n"
    "    certificates change (orcd says so in its log).\n"
    "\n"
    "OPTIONS\n"
    "    --kubeconfig PATH  the file (default: as kubectl writes new entries: of\n"
    "                       $KUBECONFIG's paths the first that exists, else the last;\n"
    "                       without KUBECONFIG ~/.kube/config)\n"
    "    --set-current      make \"orc\" the current context even when one is set\n";

static bool path_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Where to write: the path itself, or what it links to (kubectl writes through links). */
static int resolve(const char *path, char **ret, orc_error_t *err)
{
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode)) {
        *ret = xstrdup(path);
        return 0;
    }
    char *real = realpath(path, NULL);
    if (!real)
        return orc_error_make(err, errno, "'%s' is a symbolic link that leads nowhere", path);
    *ret = real;
    return 0;
}

/* The file's configuration merged with ours, as YAML text; *ret_current is its current
 * context, or NULL ("" when it is ours, but was before). */
static int merged_text(const char *path, const json_t *ours, bool set_current, char **ret,
                       size_t *ret_len, char **ret_current, orc_error_t *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file(path, MAX_KUBECONFIG, &text, &len, err) < 0) {
        if ((*err)->status != ENOENT)
            return -1;
        orc_error_release(err);
    }
    json_auto_t *config = NULL;
    bool switched = false;
    if (kubeconfig_parse(text ? text : "", len, path, &config, err) < 0 ||
        kubeconfig_merge(config, ours, set_current, &switched, err) < 0)
        return orc_error_wrap(err, "not changing '%s'", path);
    const char *current = json_string_value(json_object_get(config, "current-context"));
    _cleanup_free_ char *out = NULL;
    FILE *f = open_memstream(&out, ret_len);
    int r = f ? json_print_yaml(config, f) : -1;
    if (f && fclose(f) != 0)
        r = -1;
    if (r < 0)
        return orc_error_make(err, ENOMEM, "write the kubeconfig as YAML");
    *ret = TAKE_PTR(out);
    *ret_current = switched ? xstrdup("") : current ? xstrdup(current) : NULL;
    return 0;
}

static int write_kubeconfig(const char *path, const json_t *ours, bool set_current,
                            char **ret_current, orc_error_t *err)
{
    _cleanup_free_ char *dir = NULL, *name = NULL;
    orc_path_split(path, &dir, &name);
    if (orc_mkdir_p(dir, 0700, err) < 0)
        return -1;
    _cleanup_free_ char *lock = xasprintf("%s.lock", path);
    int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST)
        return orc_error_make_as(err, EEXIST,
                                 "'%s' exists: kubectl or orc is writing '%s'; remove the lock "
                                 "file if neither is",
                                 lock, path);
    if (fd < 0)
        return orc_error_make(err, errno, "create '%s'", lock);
    close(fd);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = merged_text(path, ours, set_current, &text, &len, ret_current, err);
    if (r == 0)
        r = orc_write_file_atomic(path, text, len, 0600, err);
    /* an existing file keeps its name, and gets the mode a file with keys needs */
    if (r == 0 && chmod(path, 0600) < 0)
        r = orc_error_make(err, errno, "chmod '%s'", path);
    (void) unlink(lock);
    return r;
}

int cmd_kubeconfig(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    static const struct option opts[] = {
        {"kubeconfig", required_argument, NULL, 'k'},
        {"set-current", no_argument, NULL, 's'},
        {0},
    };
    const char *flag = NULL;
    bool set_current = false;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (opt == 'k')
            flag = optarg;
        else if (opt == 's')
            set_current = true;
        else
            return cli_getopt_error("kubeconfig", opt, argv);
    }
    if (optind < argc)
        return cli_usage_error("kubeconfig", "unexpected argument \"%s\"", argv[optind]);
    _cleanup_free_ char *named =
        kubeconfig_path(flag, getenv("KUBECONFIG"), getenv("HOME"), path_exists);
    if (!named)
        return cli_usage_error("kubeconfig", "HOME is not set: name the file with --kubeconfig");
    json_auto_t *ours = NULL;
    if (client_call(c, "GET", "/apis/orc.dev/v1/kubeconfig", NULL, 0, &ours))
        return 1;
    orc_error_t err = NULL;
    _cleanup_free_ char *path = NULL, *current = NULL;
    if (resolve(named, &path, &err) < 0 ||
        write_kubeconfig(path, ours, set_current, &current, &err) < 0)
        return cli_fail(&err);
    const char *server = json_string_value(json_object_get(
        json_object_get(json_array_get(json_object_get(ours, "clusters"), 0), "cluster"),
        "server"));
    printf("Cluster, user and context \"orc\" (%s) written to %s.\n", server ? server : "?", named);
    if (current && !*current)
        printf("Switched to context \"orc\".\n");
    else if (current && !strcmp(current, "orc"))
        printf("The current context is \"orc\".\n");
    else
        printf("The current context stays \"%s\": use 'kubectl --context orc', or 'kubectl "
               "config use-context orc'.\n",
               current ? current : "");
    return 0;
}
