/* SPDX-License-Identifier: Apache-2.0 */
/* Global options, kubectl's resource arguments and cobra's flag errors. */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "strv.h"
#include "tap.h"

static void socket_tests(void)
{
    char *s = cli_socket_path("/x/orc.sock", "/run/user/1000", 1000);
    tap_is_str(s, "/x/orc.sock", "ORC_SOCKET wins");
    free(s);
    s = cli_socket_path("", "/run/user/1000", 1000);
    tap_is_str(s, "/run/user/1000/orc/orcd.sock", "XDG_RUNTIME_DIR");
    free(s);
    s = cli_socket_path(NULL, NULL, 1000);
    tap_is_str(s, "/tmp/orc-1000/orcd.sock", "fallback without XDG_RUNTIME_DIR");
    free(s);
    s = cli_socket_path(NULL, "relative", 7);
    tap_is_str(s, "/tmp/orc-7/orcd.sock", "a relative XDG_RUNTIME_DIR is ignored");
    free(s);
}

static void globals_tests(void)
{
    char *argv[] = {"get", "-n", "team", "pods", "--socket=/s", "-A", "web", NULL};
    int argc = 7;
    struct client c = {.ns = "default"};
    const char *bad = NULL;
    tap_is_int(cli_take_globals(&c, &argc, argv, &bad), 0, "globals parse");
    tap_is_int(argc, 3, "three words remain");
    tap_ok(!strcmp(argv[0], "get") && !strcmp(argv[1], "pods") && !strcmp(argv[2], "web") &&
               !argv[3],
           "verb and arguments keep their order");
    tap_is_str(c.ns, "team", "-n NS");
    tap_is_str(c.socket, "/s", "--socket=PATH");
    tap_ok(c.all_ns, "-A");
    free(c.socket);

    char *argv2[] = {"--namespace=x", "logs", "-ny", "pod", "--", "-n", "z", NULL};
    argc = 7;
    c = (struct client){.ns = "default"};
    tap_is_int(cli_take_globals(&c, &argc, argv2, &bad), 0, "globals parse (2)");
    tap_is_str(c.ns, "y", "-nNS, the last one wins");
    tap_is_int(argc, 5, "\"--\" ends the scan");
    tap_is_str(argv2[3], "-n", "words after -- are kept");

    char *argv3[] = {"get", "pods", "-n", NULL};
    argc = 3;
    tap_is_int(cli_take_globals(&c, &argc, argv3, &bad), -1, "-n without a value");
    tap_is_str(bad, "-n", "the option is reported");
}

static void pod_args_case(int argc, char **argv, int want, const char *first, const char *what)
{
    char **names = NULL, *msg = NULL;
    int n = cli_pod_args(argc, argv, &names, &msg);
    tap_is_int(n, want, "%s", what);
    if (n > 0)
        tap_is_str(names[0], first, "%s: first name", what);
    else if (n < 0)
        tap_ok(msg && strstr(msg, first), "%s: message '%s'", what, msg);
    strv_free(names);
    free(msg);
}

static void pod_args_tests(void)
{
    pod_args_case(2, (char *[]){"pods", "web"}, 1, "web", "pods NAME");
    pod_args_case(3, (char *[]){"po", "a", "b"}, 2, "a", "po NAME NAME");
    pod_args_case(1, (char *[]){"pod"}, 0, NULL, "pod alone: every pod");
    pod_args_case(2, (char *[]){"pod/a", "pods/b"}, 2, "a", "pod/NAME form");
    pod_args_case(1, (char *[]){"deployments"}, -1,
                  "the server doesn't have a resource type \"deployments\"", "unknown type");
    pod_args_case(1, (char *[]){"svc/x"}, -1, "resource type \"svc\"", "unknown type/NAME");
    pod_args_case(2, (char *[]){"pod/a", "b"}, -1, "resource/name form", "mixed forms");
    pod_args_case(0, (char *[]){NULL}, -1, "must specify the type", "nothing");
    tap_ok(cli_is_pod_resource("po") && !cli_is_pod_resource("p"), "pod resource names");
}

static void flag_error_case(int kind, int opt, const char *arg, const char *want)
{
    char *s = cli_flag_error(kind, opt, arg);
    tap_is_str(s, want, "flag error for %s", arg);
    free(s);
}

int main(void)
{
    socket_tests();
    globals_tests();
    pod_args_tests();
    flag_error_case('?', 0, "--bogus=1", "unknown flag: --bogus");
    flag_error_case('?', 'z', "-z", "unknown shorthand flag: 'z' in -z");
    flag_error_case('?', 'z', "-fz", "unknown shorthand flag: 'z' in -fz");
    flag_error_case(':', 'f', "-f", "flag needs an argument: 'f' in -f");
    flag_error_case(':', 'f', "--filename", "flag needs an argument: --filename");
    tap_is_int(cli_parse_bool(NULL), 1, "--wait alone");
    tap_is_int(cli_parse_bool("false"), 0, "--wait=false");
    tap_is_int(cli_parse_bool("soon"), -1, "--wait=soon");
    tap_is_int(cli_parse_count("30"), 30, "count");
    tap_is_int(cli_parse_count("-1"), -1, "negative count");
    tap_is_int(cli_parse_count("3x"), -1, "trailing garbage");
    tap_is_int(cli_parse_count(""), -1, "empty count");
    return tap_done();
}
