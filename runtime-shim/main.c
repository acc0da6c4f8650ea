/* SPDX-License-Identifier: Apache-2.0 */
/* orc-shim: one per pod (`run`), plus the user-namespace holder (`holder`). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "log.h"
#include "shim.h"
#include "time-util.h"
#include "xalloc.h"

static const char usage[] =
    "Usage: orc-shim holder --sync-fd FD [--userns /proc/PID/ns/user]\n"
    "       orc-shim run --pod-uid UID --pod-name NAME --pod-namespace NS --run-dir DIR\n"
    "                    --userns /proc/PID/ns/user --runtime PATH --runtime-root DIR\n"
    "                    --sync-fd FD [--hostname NAME] [--share-pid]\n"
    "                    [--host-network] [--host-ipc] [--log-level LEVEL]\n"
    "       orc-shim -h | --help | --version\n"
    "\n"
    "The per-pod runtime shim of orc, started by orcd; not meant to be run by hand.\n"
    "  holder  create the user namespace shared by all pods and keep it alive (with\n"
    "          --userns: hold the namespace of that process instead)\n"
    "  run     create a pod sandbox and supervise its containers; control socket\n"
    "          DIR/shim.sock (protocol in ARCHITECTURE.md)\n"
    "\n"
    "Options:\n"
    "  --sync-fd FD          an inherited descriptor: holder writes 1 once the\n"
    "                        namespace exists (0 if not) and reads \"mapped\"; run\n"
    "                        writes \"ok\" once the sandbox is ready (or \"error:\n"
    "                        MESSAGE\") and closes it\n"
    "  --pod-uid UID, --pod-name NAME, --pod-namespace NS\n"
    "                        the pod (run); NAME is also its hostname\n"
    "  --hostname NAME       the pod's hostname instead of its name (run)\n"
    "  --share-pid           one PID namespace for the pod's containers, its init a\n"
    "                        pause process (run)\n"
    "  --host-network        keep the host's network and UTS namespaces (run)\n"
    "  --host-ipc            keep the host's IPC namespace (run)\n"
    "  --run-dir DIR         the pod's run directory (run)\n"
    "  --userns PATH         the user namespace to join: the holder's (run), or a\n"
    "                        pod shim's (holder)\n"
    "  --runtime PATH, --runtime-root DIR\n"
    "                        the OCI runtime and the root directory it is given (run)\n"
    "  --log-level LEVEL     error, warn, info (default) or debug; an unknown one is\n"
    "                        info\n"
    "  -h, --help            show this help\n"
    "  --version             show the version\n";

enum {
    OPT_UID = 256,
    OPT_NAME,
    OPT_NS,
    OPT_DIR,
    OPT_USERNS,
    OPT_RUNTIME,
    OPT_ROOT,
    OPT_SYNC,
    OPT_LEVEL,
    OPT_HOSTNAME,
    OPT_SHARE_PID,
    OPT_HOST_NETWORK,
    OPT_HOST_IPC,
    OPT_VERSION
};

static int parse(int argc, char **argv, struct shim_args *a, enum log_level *level)
{
    static const struct option opts[] = {
        {"pod-uid", required_argument, NULL, OPT_UID},
        {"pod-name", required_argument, NULL, OPT_NAME},
        {"pod-namespace", required_argument, NULL, OPT_NS},
        {"run-dir", required_argument, NULL, OPT_DIR},
        {"userns", required_argument, NULL, OPT_USERNS},
        {"runtime", required_argument, NULL, OPT_RUNTIME},
        {"runtime-root", required_argument, NULL, OPT_ROOT},
        {"sync-fd", required_argument, NULL, OPT_SYNC},
        {"log-level", required_argument, NULL, OPT_LEVEL},
        {"hostname", required_argument, NULL, OPT_HOSTNAME},
        {"share-pid", no_argument, NULL, OPT_SHARE_PID},
        {"host-network", no_argument, NULL, OPT_HOST_NETWORK},
        {"host-ipc", no_argument, NULL, OPT_HOST_IPC},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {0},
    };
    int opt;
    a->sync_fd = -1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_UID:
            a->pod_uid = optarg;
            break;
        case OPT_NAME:
            a->pod_name = optarg;
            break;
        case OPT_NS:
            a->pod_namespace = optarg;
            break;
        case OPT_HOSTNAME:
            a->hostname = optarg;
            break;
        case OPT_SHARE_PID:
            a->share_pid = true;
            break;
        case OPT_HOST_NETWORK:
            a->host_network = true;
            break;
        case OPT_HOST_IPC:
            a->host_ipc = true;
            break;
        case OPT_DIR:
            a->run_dir = optarg;
            break;
        case OPT_USERNS:
            a->userns = optarg;
            break;
        case OPT_RUNTIME:
            a->runtime = optarg;
            break;
        case OPT_ROOT:
            a->runtime_root = optarg;
            break;
        case OPT_SYNC:
            a->sync_fd = atoi(optarg);
            break;
        case OPT_LEVEL:
            *level = log_level_from_string(optarg);
            if ((int) *level < 0)
                *level = LOG_LEVEL_INFO;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        case OPT_VERSION:
            printf("orc-shim version %s\n", ORC_VERSION);
            exit(0);
        default:
            fputs(usage, stderr);
            return -1;
        }
    }
    return 0;
}

static void report(int fd, const char *fmt, const char *msg)
{
    if (fd < 0)
        return;
    char line[4096];
    int n = snprintf(line, sizeof(line), fmt, msg);
    (void) orc_write_all(fd, line, (size_t) (n < (int) sizeof(line) ? n : (int) sizeof(line) - 1));
}

static int run_main(struct shim_args *a)
{
    orc_error_t err = NULL;
    if (!a->pod_uid || !a->pod_name || !a->pod_namespace || !a->run_dir || !a->userns ||
        !a->runtime || !a->runtime_root) {
        report(a->sync_fd, "error: %s\n", "orc-shim run: missing arguments (see --help)");
        return 1;
    }
    _cleanup_free_ char *logpath = orc_path_join(a->run_dir, "shim.log");
    /* never through a planted symlink */
    int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    FILE *logf = logfd >= 0 ? fdopen(logfd, "ae") : NULL;
    if (logf)
        log_set_file(logf);
    struct shim s = {.args = *a,
                     .runtime_timeout_ns = 120 * NSEC_PER_SEC,
                     .epoll_fd = -1,
                     .listen_fd = -1,
                     .signal_fd = -1,
                     .link_fd = -1,
                     .timer_fd = -1};
    int r = sandbox_setup(a, &err);
    if (r >= 0)
        r = server_run(&s, &err); /* reports "ok" on the sync fd once it listens */
    if (r < 0) {
        log_error("pod '%s/%s': %s", a->pod_namespace, a->pod_name, orc_error_message(err));
        report(s.args.sync_fd, "error: %s\n", orc_error_message(err));
        orc_error_release(&err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "/pause")) /* the pod's PID 1, started by run */
        return pause_main();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("orc-shim version %s\n", ORC_VERSION);
        return 0;
    }
    struct shim_args a = {0};
    enum log_level level = LOG_LEVEL_INFO;
    const char *mode = argv[1];
    if (parse(argc - 1, argv + 1, &a, &level) < 0)
        return 1;
    log_setup("orc-shim", level, LOG_FORMAT_TEXT);
    if (!strcmp(mode, "holder"))
        return holder_main(a.sync_fd, a.userns);
    if (!strcmp(mode, "run"))
        return run_main(&a);
    fprintf(stderr, "orc-shim: unknown mode '%s'\n%s", mode, usage);
    return 1;
}
