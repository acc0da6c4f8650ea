/* SPDX-License-Identifier: Apache-2.0 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fs-util.h"
#include "private-dir.h"
#include "strv.h"
#include "xalloc.h"

char *cli_socket_path(const char *orc_socket, const char *xdg_runtime_dir, unsigned uid)
{
    if (orc_socket && *orc_socket)
        return xstrdup(orc_socket);
    _cleanup_free_ char *dir = orc_runtime_dir(xdg_runtime_dir, "orc", uid); /* orcd's */
    return orc_path_join(dir, "orcd.sock");
}

/* "--name VALUE", "--name=VALUE" and, for a short option, "-nVALUE": the value or NULL.
 * *consumed tells whether the next word was used. */
static const char *option_value(const char *a, const char *shrt, const char *lng, int i, int argc,
                                char **argv, bool *matched, bool *consumed)
{
    size_t ll = strlen(lng);
    *matched = true;
    *consumed = false;
    if (!strncmp(a, lng, ll) && a[ll] == '=')
        return a + ll + 1;
    if (shrt && !strncmp(a, shrt, 2) && a[2] && a[2] != '=')
        return a + 2;
    if (shrt && !strncmp(a, shrt, 2) && a[2] == '=')
        return a + 3;
    if (!strcmp(a, lng) || (shrt && !strcmp(a, shrt))) {
        if (i + 1 >= argc)
            return NULL;
        *consumed = true;
        return argv[i + 1];
    }
    *matched = false;
    return NULL;
}

int cli_take_globals(struct client *c, int *argc, char **argv, const char **ret_bad)
{
    int out = 0, i;
    for (i = 0; i < *argc && strcmp(argv[i], "--"); i++) {
        const char *a = argv[i], *v;
        bool matched, consumed;
        if (!strcmp(a, "-A") || !strcmp(a, "--all-namespaces")) {
            c->all_ns = 1;
            continue;
        }
        v = option_value(a, "-n", "--namespace", i, *argc, argv, &matched, &consumed);
        if (!matched)
            v = option_value(a, NULL, "--socket", i, *argc, argv, &matched, &consumed);
        if (!matched) {
            argv[out++] = argv[i];
            continue;
        }
        if (!v || !*v) {
            *ret_bad = a;
            return -1;
        }
        if (a[1] == '-' && a[2] == 's') {
            free(c->socket);
            c->socket = xstrdup(v);
        } else {
            c->ns = v;
            c->ns_given = true;
        }
        i += consumed;
    }
    for (; i < *argc; i++)
        argv[out++] = argv[i];
    *argc = out;
    argv[out] = NULL;
    return 0;
}

char *cli_flag_error(int kind, int opt, const char *arg)
{
    bool is_long = arg && !strncmp(arg, "--", 2);
    if (kind == ':') {
        if (is_long) {
            size_t n = strcspn(arg, "=");
            return xasprintf("flag needs an argument: %.*s", (int) n, arg);
        }
        return xasprintf("flag needs an argument: '%c' in -%c", opt, opt);
    }
    if (is_long || !opt || !isprint(opt)) {
        size_t n = arg ? strcspn(arg, "=") : 0;
        return xasprintf("unknown flag: %.*s", (int) n, arg ? arg : "");
    }
    return xasprintf("unknown shorthand flag: '%c' in %s", opt, arg ? arg : "-?");
}

bool cli_is_pod_resource(const char *s)
{
    return !strcmp(s, "pods") || !strcmp(s, "pod") || !strcmp(s, "po");
}

/* "pod/NAME" -> NAME; NULL when the word has another resource or no slash. */
static const char *slash_name(const char *w, bool *is_pod)
{
    const char *slash = strchr(w, '/');
    if (!slash)
        return NULL;
    _cleanup_free_ char *res = xstrndup(w, (size_t) (slash - w));
    *is_pod = cli_is_pod_resource(res);
    return slash + 1;
}

int cli_pod_args(int argc, char *const *argv, char ***ret_names, char **ret_msg)
{
    if (argc < 1) {
        *ret_msg = xstrdup("you must specify the type of resource (pods)");
        return -1;
    }
    char **names = new0(char *, 1);
    bool is_pod = false;
    int first = slash_name(argv[0], &is_pod) ? 0 : 1;
    if (first == 1 && !cli_is_pod_resource(argv[0])) {
        *ret_msg = xasprintf("the server doesn't have a resource type \"%s\"", argv[0]);
        strv_free(names);
        return -1;
    }
    for (int i = first; i < argc; i++) {
        const char *n = argv[i];
        if (first == 0) {
            n = slash_name(argv[i], &is_pod);
            if (!n || !is_pod || !*n) {
                *ret_msg = n ? xasprintf("the server doesn't have a resource type \"%.*s\"",
                                         (int) strcspn(argv[i], "/"), argv[i])
                             : xstrdup("there is no need to specify a resource type as a "
                                       "separate argument when passing arguments in "
                                       "resource/name form");
                strv_free(names);
                return -1;
            }
        }
        names = strv_push(names, n);
    }
    *ret_names = names;
    return (int) strv_length(names);
}

int cli_parse_bool(const char *s)
{
    if (!s || !strcmp(s, "true") || !strcmp(s, "1"))
        return 1;
    if (!strcmp(s, "false") || !strcmp(s, "0"))
        return 0;
    return -1;
}

long long cli_parse_count(const char *s)
{
    char *end = NULL;
    if (!s || !isdigit((unsigned char) *s))
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return errno || *end ? -1 : v;
}
