/* SPDX-License-Identifier: Apache-2.0 */
/* orcd: the orc agent. Parses flags, takes the per-user lock and runs the loop. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api/api.h"
#include "api/node-status.h"
#include "cleanup.h"
#include "exec-path.h"
#include "fs-util.h"
#include "images/images.h"
#include "log.h"
#include "loop.h"
#include "pods/cni.h"
#include "pods/oci-security.h"
#include "pods/eviction.h"
#include "pods/sysctls.h"
#include "quantity.h"
#include "quantity.h"
#include "notify.h"
#include "orcd.h"
#include "images/pull-jobs.h"
#include "store/feed.h"
#include "store/store.h"
#include "strv.h"
#include "sys/jobs.h"
#include "sys/spawn-util.h"
#include "time-util.h"
#include "xalloc.h"

/* The watch cache's byte budget: its changes' objects (a pod's JSON is a few KiB). */
#define WATCH_CACHE_BYTES (16u << 20)

static const char usage[] =
    "Usage: orcd [OPTIONS]\n"
    "\n"
    "The orc agent: keeps the pods applied with 'orc apply' running, rootless.\n"
    "It serves its API on $XDG_RUNTIME_DIR/orc/orcd.sock (and, for kubectl, with TLS\n"
    "on 127.0.0.1: --secure-port) and keeps state in $XDG_DATA_HOME/orc. One agent\n"
    "runs per user. Pods keep running when it stops.\n"
    "\n"
    "Options:\n"
    "  --runtime PATH        OCI runtime (default: runc, searched in $PATH)\n"
    "  --shim PATH           orc-shim binary (default: LIBEXECDIR/orc/orc-shim found\n"
    "                        from orcd's directory, else the build tree's, else one\n"
    "                        next to orcd, else $PATH)\n"
    "  --cni-conf FILE       network configuration list for pods (default:\n"
    "                        $XDG_CONFIG_HOME/orc/orc.conflist if it exists, else\n"
    "                        the built-in one: slirp, loopback, port-forward)\n"
    "  --cni-bin-dir DIRS    CNI plugin directories, ':'-separated (default: orc's\n"
    "                        plugins, LIBEXECDIR/orc/cni found from orcd's directory\n"
    "                        or the build tree's, then /usr/lib/cni:/opt/cni/bin)\n"
    "  --insecure-registry HOST[:PORT]\n"
    "                        pull from this registry over plain HTTP (repeatable;\n"
    "                        localhost, 127.0.0.1 and [::1] always are, on any port)\n"
    "  --registries-conf FILE\n"
    "                        podman's registries.conf: unqualified-search-registries,\n"
    "                        [[registry]] location/prefix, insecure, blocked and\n"
    "                        mirrors (default: $XDG_CONFIG_HOME/containers/\n"
    "                        registries.conf, else /etc/containers/registries.conf)\n"
    "  --image-gc-high-threshold PERCENT\n"
    "                        disk use that starts removing unused images, the\n"
    "                        longest stored first, after a pull (default: 85, as\n"
    "                        kubelet)\n"
    "  --image-gc-low-threshold PERCENT\n"
    "                        disk use it stops at (default: 80)\n"
    "  --image-max-layer-size SIZE\n"
    "                        most one image layer (or docker save member) may unpack\n"
    "                        to; larger ones are refused (default: 16Gi; e.g. 500Mi)\n"
    "  --image-pull-progress-deadline DURATION\n"
    "                        a registry request that moves less than 1 KiB/s this\n"
    "                        long is abandoned (default: 1m)\n"
    "  --strict-image-pull-policy\n"
    "                        an imagePullPolicy Always implied by a :latest or\n"
    "                        untagged image waits for its registry, as kubelet\n"
    "                        (default: a registry that cannot be reached makes\n"
    "                        the pod use the stored image, with a warning event)\n"
    "  --seccomp-default     give containers whose pod names no seccompProfile the\n"
    "                        RuntimeDefault profile, as kubelet's flag (default:\n"
    "                        Unconfined, as Kubernetes); Localhost profiles are\n"
    "                        read from $XDG_CONFIG_HOME/orc/seccomp\n"
    "  --require-limits      fail pods with resources when they cannot be enforced\n"
    "                        (reason LimitsNotEnforced; default: run them\n"
    "                        unlimited, with a warning event)\n"
    "  --pod-pids-limit N    most processes of one pod (its scope's TasksMax;\n"
    "                        default: none, as kubelet's podPidsLimit)\n"
    "  --max-pods N          pods admitted at once (default: 110; more fail with\n"
    "                        OutOfpods)\n"
    "  --backoff-base MS     first restart back-off in ms, doubling to 5 min\n"
    "                        (default: 10000; env ORC_BACKOFF_BASE_MS); also of\n"
    "                        sandbox retries\n"
    "  --runtime-request-timeout DURATION\n"
    "                        deadline of each external step: the shim's start-up,\n"
    "                        each CNI plugin, the runtime starting a container, a\n"
    "                        systemd scope job (default: 2m; e.g. 30s, 1m30s)\n"
    "  --parallel-pods N     pods whose slow steps run at the same time (1-1024;\n"
    "                        default: 8)\n"
    "  --container-log-max-size SIZE\n"
    "                        rotate a container's log beyond this size (1Ki or more;\n"
    "                        default: 10Mi)\n"
    "  --container-log-max-files N\n"
    "                        log files kept per container, the current one included\n"
    "                        (2 or more; default: 5)\n"
    "  --secure-port PORT    serve the API also on https://127.0.0.1:PORT, for\n"
    "                        kubectl ('orc kubeconfig'); every request needs a\n"
    "                        client certificate of the user's CA or the bearer\n"
    "                        token (default: 16384 + uid mod 16384; 0: the unix\n"
    "                        socket only)\n"
    "  --api-idle-timeout DURATION\n"
    "                        close an API connection idle this long (1s or more;\n"
    "                        default: 60s); a logs -f stream is not idle\n"
    "  --watch-cache-size N  changes kept for watches to resume from (16 or more;\n"
    "                        default: 1024); a watch from an older resourceVersion\n"
    "                        gets 410 Gone, and its client lists again\n"
    "  --debug-hooks         serve POST /debug/block-loop?seconds=N on the socket\n"
    "                        (for tests of the watchdog and health checks)\n"
    "  --log-level LEVEL     error, warn, info (default) or debug\n"
    "  --log-format FORMAT   text (default) or json\n"
    "  -h, --help            show this help\n"
    "  --version             show the version\n";

enum {
    OPT_RUNTIME = 256,
    OPT_SHIM,
    OPT_CNI_CONF,
    OPT_CNI_BIN_DIR,
    OPT_INSECURE,
    OPT_REGCONF,
    OPT_GC_HIGH,
    OPT_GC_LOW,
    OPT_MAX_LAYER,
    OPT_PULL_DEADLINE,
    OPT_STRICT_PULL,
    OPT_PIDS,
    OPT_REQUIRE_LIMITS,
    OPT_SECCOMP_DEFAULT,
    OPT_MAX_PODS,
    OPT_BACKOFF,
    OPT_REQUEST_TIMEOUT,
    OPT_PARALLEL,
    OPT_DEBUG_HOOKS,
    OPT_WATCH_CACHE,
    OPT_API_IDLE,
    OPT_SECURE_PORT,
    OPT_LOG_MAX_SIZE,
    OPT_LOG_MAX_FILES,
    OPT_LOG_LEVEL,
    OPT_LOG_FORMAT,
    OPT_VERSION
};

/* Absolute path of a program: as given when it has a '/', else searched in $PATH; the bare
 * name when it is not found (running it then fails with a clear message). */
static char *find_program(const char *name)
{
    char *path = NULL;
    if (orc_find_program(name, NULL, &path, NULL) < 0)
        path = xstrdup(name);
    return path;
}

/* orc's plugins, then the usual CNI directories. orc's helpers are found from orcd's own
 * directory: installed, ORC_HELPERS_FROM_BINDIR (computed by CMake) leads from the bindir to
 * LIBEXECDIR/orc whatever the libexecdir; in the build tree, agent/orcd is next to
 * runtime-shim/ and cni-plugins/bin/. */
static char *default_cni_bin_dir(void)
{
    const char *ours[] = {ORC_HELPERS_FROM_BINDIR "/cni", "../cni-plugins/bin"};
    for (size_t i = 0; i < ELEMENTSOF(ours); i++) {
        _cleanup_free_ char *dir = NULL;
        if (orc_self_path(ours[i], &dir, NULL) == 0) {
            log_debug("orc's CNI plugins: '%s'", dir);
            return xasprintf("%s:/usr/lib/cni:/opt/cni/bin", dir);
        }
    }
    log_debug("orc's CNI plugins: not found from orcd's directory");
    return xstrdup(ORC_HELPERS_DIR "/cni:/usr/lib/cni:/opt/cni/bin");
}

/* orc-shim: installed layout, build tree, next to orcd, then $PATH. */
static char *default_shim(void)
{
    const char *const tries[] = {ORC_HELPERS_FROM_BINDIR "/orc-shim", "../runtime-shim/orc-shim",
                                 "orc-shim", NULL};
    char *found = NULL;
    if (orc_self_find_program(tries, &found, NULL) < 0)
        found = find_program("orc-shim");
    log_debug("orc-shim: '%s'", found);
    return found;
}

static int parse_args(int argc, char **argv, struct orcd_config *c)
{
    static const struct option opts[] = {
        {"runtime", required_argument, NULL, OPT_RUNTIME},
        {"shim", required_argument, NULL, OPT_SHIM},
        {"max-pods", required_argument, NULL, OPT_MAX_PODS},
        {"pod-pids-limit", required_argument, NULL, OPT_PIDS},
        {"require-limits", no_argument, NULL, OPT_REQUIRE_LIMITS},
        {"seccomp-default", no_argument, NULL, OPT_SECCOMP_DEFAULT},
        {"cni-conf", required_argument, NULL, OPT_CNI_CONF},
        {"cni-bin-dir", required_argument, NULL, OPT_CNI_BIN_DIR},
        {"insecure-registry", required_argument, NULL, OPT_INSECURE},
        {"registries-conf", required_argument, NULL, OPT_REGCONF},
        {"image-gc-high-threshold", required_argument, NULL, OPT_GC_HIGH},
        {"image-gc-low-threshold", required_argument, NULL, OPT_GC_LOW},
        {"image-max-layer-size", required_argument, NULL, OPT_MAX_LAYER},
        {"image-pull-progress-deadline", required_argument, NULL, OPT_PULL_DEADLINE},
        {"strict-image-pull-policy", no_argument, NULL, OPT_STRICT_PULL},
        {"backoff-base", required_argument, NULL, OPT_BACKOFF},
        {"runtime-request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
        {"parallel-pods", required_argument, NULL, OPT_PARALLEL},
        {"debug-hooks", no_argument, NULL, OPT_DEBUG_HOOKS},
        {"watch-cache-size", required_argument, NULL, OPT_WATCH_CACHE},
        {"api-idle-timeout", required_argument, NULL, OPT_API_IDLE},
        {"secure-port", required_argument, NULL, OPT_SECURE_PORT},
        {"container-log-max-size", required_argument, NULL, OPT_LOG_MAX_SIZE},
        {"container-log-max-files", required_argument, NULL, OPT_LOG_MAX_FILES},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {0},
    };
    enum log_level level = LOG_LEVEL_INFO;
    enum log_format format = LOG_FORMAT_TEXT;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_RUNTIME:
            free(c->pod.runtime);
            c->pod.runtime = xstrdup(optarg);
            break;
        case OPT_SHIM:
            free(c->pod.shim_path);
            c->pod.shim_path = xstrdup(optarg);
            break;
        case OPT_CNI_CONF:
            free(c->cni_conf);
            c->cni_conf = xstrdup(optarg);
            break;
        case OPT_CNI_BIN_DIR:
            free(c->cni_bin_dir);
            c->cni_bin_dir = xstrdup(optarg);
            break;
        case OPT_GC_HIGH:
        case OPT_GC_LOW: {
            int v = atoi(optarg);
            if (v < 0 || v > 100 || strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr, "orcd: --%s must be a percentage 0-100\n",
                        opt == OPT_GC_HIGH ? "image-gc-high-threshold" : "image-gc-low-threshold");
                return -1;
            }
            *(opt == OPT_GC_HIGH ? &c->image_gc_high : &c->image_gc_low) = v;
            break;
        }
        case OPT_MAX_LAYER: {
            int64_t milli = 0;
            if (quantity_parse_milli(optarg, &milli) < 0 || milli < 1000) {
                fprintf(stderr,
                        "orcd: --image-max-layer-size: '%s' is not a size such as "
                        "16Gi or 500Mi\n",
                        optarg);
                return -1;
            }
            c->image_max_layer = milli / 1000;
            break;
        }
        case OPT_PULL_DEADLINE:
            if (orc_duration_parse(optarg, &c->image_pull_deadline_ns) < 0 ||
                c->image_pull_deadline_ns < NSEC_PER_SEC) {
                fprintf(stderr,
                        "orcd: --image-pull-progress-deadline: '%s' is not a duration of a "
                        "second or more, such as 30s or 2m\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_STRICT_PULL:
            c->pod.strict_image_pull_policy = true;
            break;
        case OPT_REGCONF:
            free(c->registries_conf);
            c->registries_conf = xstrdup(optarg);
            break;
        case OPT_INSECURE:
            c->insecure_registries = strv_push(c->insecure_registries, optarg);
            break;
        case OPT_REQUIRE_LIMITS:
            c->pod.require_limits = true;
            break;
        case OPT_SECCOMP_DEFAULT:
            c->pod.seccomp_default = true;
            break;
        case OPT_PIDS:
            c->pod.pod_pids_limit = atoll(optarg);
            if (c->pod.pod_pids_limit < 0 || strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr, "orcd: --pod-pids-limit must be a number (0 = none)\n");
                return -1;
            }
            break;
        case OPT_MAX_PODS:
            c->pod.max_pods = atoi(optarg);
            if (c->pod.max_pods <= 0) {
                fprintf(stderr, "orcd: --max-pods must be a positive number\n");
                return -1;
            }
            break;
        case OPT_BACKOFF:
            c->pod.backoff_base_ns = atoll(optarg) * NSEC_PER_MSEC;
            break;
        case OPT_REQUEST_TIMEOUT:
            if (orc_duration_parse(optarg, &c->pod.request_timeout_ns) < 0 ||
                c->pod.request_timeout_ns <= 0) {
                fprintf(stderr,
                        "orcd: --runtime-request-timeout: '%s' is not a positive "
                        "duration such as 30s or 2m\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_PARALLEL: {
            int v = atoi(optarg);
            if (v <= 0 || v > 1024 || strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr, "orcd: --parallel-pods must be a number from 1 to 1024\n");
                return -1;
            }
            c->parallel_pods = (unsigned) v;
            break;
        }
        case OPT_DEBUG_HOOKS:
            c->debug_hooks = true;
            break;
        case OPT_WATCH_CACHE: {
            long v = atol(optarg);
            if (v < 16 || v > 1 << 20 || strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr, "orcd: --watch-cache-size must be a number from 16 to %d\n",
                        1 << 20);
                return -1;
            }
            c->watch_cache_size = (unsigned) v;
            break;
        }
        case OPT_LOG_MAX_SIZE: {
            int64_t milli = 0;
            if (quantity_parse_milli(optarg, &milli) < 0 || milli < 1024 * 1000LL) {
                fprintf(stderr,
                        "orcd: --container-log-max-size: '%s' is not a size of 1Ki or "
                        "more (e.g. 10Mi)\n",
                        optarg);
                return -1;
            }
            c->pod.log_max_size = milli / 1000;
            break;
        }
        case OPT_LOG_MAX_FILES:
            c->pod.log_max_files = atoi(optarg);
            if (c->pod.log_max_files < 2 || strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr, "orcd: --container-log-max-files must be 2 or more (kubelet's "
                                "rule)\n");
                return -1;
            }
            break;
        case OPT_API_IDLE:
            if (orc_duration_parse(optarg, &c->api_idle_timeout_ns) < 0 ||
                c->api_idle_timeout_ns < NSEC_PER_SEC) {
                fprintf(stderr, "orcd: --api-idle-timeout: '%s' is not a duration of 1s or more\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_SECURE_PORT: {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 0 || v > 65535) {
                fprintf(stderr,
                        "orcd: --secure-port: '%s' is not a port (1-65535, or 0 for "
                        "none)\n",
                        optarg);
                return -1;
            }
            c->secure_port = (int) v;
            break;
        }
        case OPT_LOG_LEVEL:
            level = log_level_from_string(optarg);
            if ((int) level < 0) {
                fprintf(stderr, "orcd: unknown log level '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_LOG_FORMAT:
            format = log_format_from_string(optarg);
            if ((int) format < 0) {
                fprintf(stderr, "orcd: unknown log format '%s'\n", optarg);
                return -1;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            exit(EXIT_SUCCESS);
        case OPT_VERSION:
            printf("orcd version %s\n", ORC_VERSION);
            exit(EXIT_SUCCESS);
        default:
            fputs("Run 'orcd --help' for usage.\n", stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "orcd: unexpected argument '%s'\nRun 'orcd --help' for usage.\n",
                argv[optind]);
        return -1;
    }
    log_setup("orcd", level, format);
    return 0;
}

static void config_defaults(struct orcd_config *c)
{
    c->pod.runtime = xstrdup("runc");
    c->pod.backoff_base_ns = 10 * NSEC_PER_SEC;
    c->pod.backoff_max_ns = 300 * NSEC_PER_SEC;
    c->pod.backoff_reset_ns = 600 * NSEC_PER_SEC;
    c->pod.max_pods = 110;
    c->pod.request_timeout_ns = 120 * NSEC_PER_SEC; /* kubelet's --runtime-request-timeout */
    c->parallel_pods = 8;
    c->api_idle_timeout_ns = 60 * NSEC_PER_SEC;
    c->watch_cache_size = 1024;
    c->watch_bookmark_ns = 60 * NSEC_PER_SEC; /* kube-apiserver's: about every minute */
    c->secure_port = api_tls_default_port(getuid());
    c->pod.log_max_size = 10 << 20; /* kubelet's containerLogMaxSize and MaxFiles */
    c->pod.log_max_files = 5;
    c->image_gc_high = 85;
    c->image_gc_low = 80;
    c->image_max_layer = IMAGES_MAX_LAYER_DEFAULT;
    c->image_pull_deadline_ns = 60 * NSEC_PER_SEC; /* kubelet's --image-pull-progress-deadline */
    const char *env = getenv("ORC_BACKOFF_BASE_MS");
    if (env && atoll(env) > 0)
        c->pod.backoff_base_ns = atoll(env) * NSEC_PER_MSEC;
    env = getenv("ORC_WATCH_BOOKMARK_MS");
    if (env && atoll(env) > 0)
        c->watch_bookmark_ns = atoll(env) * NSEC_PER_MSEC;
    /* kubelet's eviction manager looks every 10 s (its housekeeping interval) */
    c->pod.volume_usage_interval_ns = 10 * NSEC_PER_SEC;
    env = getenv("ORC_VOLUME_USAGE_MS");
    if (env && atoll(env) > 0)
        c->pod.volume_usage_interval_ns = atoll(env) * NSEC_PER_MSEC;
}

/* An exclusive flock on PATH held for the agent's lifetime, the file saying "PID\nSOCKET\n".
 * Taken: 0. Held by another agent: 1, its pid and socket in holder[2] (empty if unknown). */
static int lock_file(const char *path, const char *socket, int *ret_fd, char holder[2][PATH_MAX],
                     orc_error_t *err)
{
    *ret_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*ret_fd < 0)
        return orc_error_make(err, errno, "open '%s'", path);
    if (flock(*ret_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK)
            return orc_error_make(err, errno, "lock '%s'", path);
        char text[PATH_MAX + 32] = "";
        ssize_t n = pread(*ret_fd, text, sizeof(text) - 1, 0);
        text[n > 0 ? n : 0] = '\0';
        char *nl = strchr(text, '\n');
        snprintf(holder[0], PATH_MAX, "%.*s", nl ? (int) (nl - text) : 0, text);
        snprintf(holder[1], PATH_MAX, "%.*s", nl ? (int) strcspn(nl + 1, "\n") : 0,
                 nl ? nl + 1 : "");
        *ret_fd = safe_close(*ret_fd);
        return 1;
    }
    _cleanup_free_ char *text = xasprintf("%d\n%s\n", (int) getpid(), socket);
    size_t len = strlen(text);
    if (ftruncate(*ret_fd, 0) < 0 || pwrite(*ret_fd, text, len, 0) != (ssize_t) len)
        return orc_error_make(err, errno, "write '%s'", path);
    return 0;
}

/* One agent per user: one per data directory (its database and pods) and one per run
 * directory (its socket, shims and namespace holder). The data directory's lock comes first
 * and before the run directory is made: a run directory follows XDG_RUNTIME_DIR, which cron,
 * su or a batch job may leave unset, and a second agent there would start every pod again
 * (a refused one makes nothing). */
static int already_running(const struct orcd *o, char holder[2][PATH_MAX], const char *lock,
                           orc_error_t *err)
{
    const char *pid = *holder[0] ? holder[0] : "?";
    if (!*holder[1] || !strcmp(holder[1], o->paths.socket))
        return orc_error_make(err, 0,
                              "orcd is already running for this user (pid %s, lock '%s'); only "
                              "one agent per user may run",
                              pid, lock);
    return orc_error_make(err, 0,
                          "orcd is already running for this user with the data directory '%s' "
                          "(pid %s, its API on '%s'; this one's would be '%s': "
                          "XDG_RUNTIME_DIR differs); only one agent per user may run: reach "
                          "that one with 'orc --socket %s', or stop it first",
                          o->paths.data_dir, pid, holder[1], o->paths.socket, holder[1]);
}

static int take_data_lock(struct orcd *o, orc_error_t *err)
{
    char holder[2][PATH_MAX];
    if (orc_mkdir_p(o->paths.data_dir, 0700, err) < 0)
        return -1;
    int r = lock_file(o->paths.data_lock, o->paths.socket, &o->data_lock_fd, holder, err);
    if (r < 0 && ((*err)->status == ENOLCK || (*err)->status == EOPNOTSUPP)) {
        /* NFS without a lock manager: nothing to stop a second agent but this warning */
        log_warn("%s: a second agent on this data directory would not be stopped",
                 orc_error_message(*err));
        orc_error_release(err);
        return 0;
    }
    return r == 0 ? 0 : r < 0 ? -1 : already_running(o, holder, o->paths.data_lock, err);
}

static int take_run_lock(struct orcd *o, orc_error_t *err)
{
    char holder[2][PATH_MAX];
    int r = lock_file(o->paths.lock, o->paths.socket, &o->lock_fd, holder, err);
    if (r > 0)
        holder[1][0] = '\0'; /* the same run directory: the short message */
    return r == 0 ? 0 : r < 0 ? -1 : already_running(o, holder, o->paths.lock, err);
}

/* Where credentials are looked for, as podman does: $REGISTRY_AUTH_FILE, then
 * $XDG_RUNTIME_DIR/containers/auth.json, $XDG_CONFIG_HOME/containers/auth.json and
 * ~/.docker/config.json. */
static char **default_auth_files(void)
{
    char **v = NULL;
    const char *env = getenv("REGISTRY_AUTH_FILE"), *run = getenv("XDG_RUNTIME_DIR");
    const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    _cleanup_free_ char *a = run ? xasprintf("%s/containers/auth.json", run) : NULL;
    _cleanup_free_ char *b = cfg    ? xasprintf("%s/containers/auth.json", cfg)
                             : home ? xasprintf("%s/.config/containers/auth.json", home)
                                    : NULL;
    _cleanup_free_ char *c = home ? xasprintf("%s/.docker/config.json", home) : NULL;
    const char *all[] = {env, a, b, c};
    for (size_t i = 0; i < 4; i++)
        if (all[i] && *all[i])
            v = strv_push(v, all[i]);
    return v;
}

/* podman's registries.conf: the user's, else the system's; a missing file is no error. */
static int load_registries_conf(struct orcd *o, orc_error_t *err)
{
    const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    _cleanup_free_ char *user = cfg    ? xasprintf("%s/containers/registries.conf", cfg)
                                : home ? xasprintf("%s/.config/containers/registries.conf", home)
                                       : NULL;
    const char *path = o->config.registries_conf         ? o->config.registries_conf
                       : user && access(user, F_OK) == 0 ? user
                                                         : "/etc/containers/registries.conf";
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 1 << 20, &text, NULL, err) < 0) {
        if (!o->config.registries_conf && (*err)->status == ENOENT) {
            orc_error_release(err);
            return 0;
        }
        return -1;
    }
    return registries_conf_parse(text, path, &o->registries, err);
}

/* A pull finished (on its thread): check the disk, and let pods waiting for it go on. */
static void pull_finished(void *ctx)
{
    struct orcd *o = ctx;
    atomic_store(&o->loop.gc_due, true);
    orcd_wake(o);
}

static int orcd_start(struct orcd *o, orc_error_t *err)
{
    if (orc_paths_init(&o->paths, err) < 0 || take_data_lock(o, err) < 0 ||
        orc_paths_create(&o->paths, err) < 0 || take_run_lock(o, err) < 0 ||
        api_tls_open(o, &o->tls, err) < 0)
        return -1;
    if (!getenv("XDG_RUNTIME_DIR"))
        log_warn("XDG_RUNTIME_DIR is not set: using '%s'", o->paths.run_dir);
    o->config.pod.seccomp_dir = orc_path_join(o->paths.config_dir, "seccomp");
    oci_security_probe(&o->config.pod.apparmor_enabled, &o->config.pod.selinux_enabled,
                       &o->config.pod.cap_last);
    _cleanup_free_ char *user_conf = orc_path_join(o->paths.config_dir, "orc.conflist");
    const char *conf = o->config.cni_conf             ? o->config.cni_conf
                       : access(user_conf, F_OK) == 0 ? user_conf
                                                      : NULL;
    if (network_load(conf, o->config.cni_bin_dir, &o->network, err) < 0)
        return orc_error_wrap(err, "pod network");
    pid_t members[256];
    size_t n_members = userns_find_members(o->paths.pods, members, ELEMENTSOF(members));
    if (userns_ensure(&o->userns, o->paths.userns, o->config.pod.shim_path, members, n_members,
                      err) < 0)
        return -1;
    if (load_registries_conf(o, err) < 0)
        return -1;
    o->registry = (struct registry_options){
        .insecure = o->config.insecure_registries,
        .conf = &o->registries,
        .auth_files = default_auth_files(),
        .progress_deadline_s = (long) (o->config.image_pull_deadline_ns / NSEC_PER_SEC)};
    /* the feed starts at the store's resourceVersion, before any write */
    int64_t rv = 0;
    o->feed = feed_new(o->config.watch_cache_size, WATCH_CACHE_BYTES);
    if (store_open(o->paths.db, o->feed, &o->store, err) < 0 ||
        store_resource_version(o->store, &rv, err) < 0 ||
        images_open(o->paths.storage, &o->userns, &o->images, err) < 0 ||
        job_pool_new(o->config.parallel_pods, &o->jobs, err) < 0)
        return -1;
    feed_reset(o->feed, rv);
    store_set_busy_timeout(o->store, 200); /* the loop's: it retries rather than waits */
    if (node_status_start(o, err) < 0)
        return -1;
    o->loop.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (o->loop.wake_fd < 0)
        return orc_error_make(err, errno, "eventfd");
    o->pulls = pull_jobs_new(o->images, &o->registry, pull_finished, o);
    images_set_search(o->images, o->registries.search);
    images_set_max_layer_size(o->images, o->config.image_max_layer);
    if (loop_init(o, err) < 0 || api_start(o, &o->api, err) < 0)
        return -1;
    notify_send("READY=1\nSTATUS=serving the API");
    _cleanup_free_ char *tcp =
        o->tls ? xasprintf(" and https://127.0.0.1:%d", o->config.secure_port) : xstrdup("");
    log_info("orcd %s ready: API on '%s'%s, runtime '%s', network '%s' (%s)", ORC_VERSION,
             o->paths.socket, tcp, o->config.pod.runtime, network_name(o->network),
             conf ? conf : "built in");
    return 0;
}

static void config_done(struct orcd_config *c)
{
    free(c->pod.runtime);
    free(c->pod.shim_path);
    free(c->pod.node_name);
    free(c->pod.seccomp_dir);
    json_decref(c->pod.node_labels);
    free(c->cni_conf);
    free(c->cni_bin_dir);
    strv_free(c->insecure_registries);
    free(c->registries_conf);
}

static void orcd_stop(struct orcd *o)
{
    notify_send("STOPPING=1");
    if (o->feed)
        feed_shutdown(o->feed); /* watches end, and their connections with them */
    o->api = api_stop(o->api);
    o->tls = api_tls_free(o->tls);
    o->pulls = pull_jobs_free(o->pulls); /* pulls wake the loop */
    loop_done(o);                        /* and the job pool with it */
    pid_t members[256];
    size_t n_members = o->paths.pods ? userns_find_members(o->paths.pods, members, 256) : 0;
    pid_t holder = o->userns.holder_pid;
    if (o->data_lock_fd >= 0 && o->paths.userns &&
        userns_release_unused(&o->userns, o->paths.userns, members, n_members))
        log_info("no pods: the user namespace holder (pid %d) stopped with the agent",
                 (int) holder);
    o->images = images_close(o->images);
    o->registry.auth_files = strv_free(o->registry.auth_files);
    registries_conf_done(&o->registries);
    o->store = store_close(o->store);
    o->feed = feed_free(o->feed); /* after every connection and watch */
    o->node = node_status_free(o->node);
    o->network = network_free(o->network);
    o->loop.wake_fd = safe_close(o->loop.wake_fd);
    o->lock_fd = safe_close(o->lock_fd);
    o->data_lock_fd = safe_close(o->data_lock_fd);
    orc_paths_done(&o->paths);
    config_done(&o->config);
}

/* Many API connections and pods' sockets: the soft open-files limit up to the hard one;
 * children get the soft limit orcd was started with. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rlim_t orig = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
        spawn_set_child_nofile(orig);
}

/* Work as root of the user namespace, done by orcd re-executed there (sys/userns.h). */
static const struct userns_op *userns_ops(void)
{
    static struct userns_op ops[5];
    ops[0] = userns_op_rm_rf;
    ops[1] = images_op_unpack_layer;
    ops[2] = pod_op_sysctl;
    ops[3] = pod_op_disk_usage;
    return ops;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], USERNS_OP_FLAG) == 0)
        return userns_op_main(argc, argv, userns_ops());
    notify_init();
    struct orcd o = {.lock_fd = -1,
                     .data_lock_fd = -1,
                     .loop = {.wake_fd = -1,
                              .epoll_fd = -1,
                              .signal_fd = -1,
                              .timer_fd = -1,
                              .watchdog_fd = -1,
                              .holder_fd = -1}};
    config_defaults(&o.config);
    if (parse_args(argc, argv, &o.config) < 0) {
        config_done(&o.config);
        return EXIT_FAILURE;
    }
    if (o.config.image_gc_low > o.config.image_gc_high) {
        fprintf(stderr,
                "orcd: --image-gc-low-threshold (%d) must not exceed "
                "--image-gc-high-threshold (%d)\n",
                o.config.image_gc_low, o.config.image_gc_high);
        config_done(&o.config);
        return EXIT_FAILURE;
    }
    char *runtime = find_program(o.config.pod.runtime);
    free(o.config.pod.runtime);
    o.config.pod.runtime = runtime;
    if (!o.config.pod.shim_path)
        o.config.pod.shim_path = default_shim();
    if (!o.config.cni_bin_dir)
        o.config.cni_bin_dir = default_cni_bin_dir();
    /* API requests run on short-lived threads whose arenas glibc grows and trims again on
     * every request (page faults dominated a pod list); keep a few MiB warm instead */
    (void) mallopt(M_MMAP_THRESHOLD, 4 << 20);
    (void) mallopt(M_TRIM_THRESHOLD, 8 << 20);
    raise_fd_limit();
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: it is not thread-safe */
    /* Block the loop's signals before any thread exists: only its signalfd takes them. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    orc_error_t err = NULL;
    int r = orcd_start(&o, &err);
    if (r >= 0)
        r = loop_run(&o, &err);
    if (r < 0) {
        log_error("%s", orc_error_message(err));
        orc_error_release(&err);
    }
    orcd_stop(&o);
    curl_global_cleanup();
    return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
