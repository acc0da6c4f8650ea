/* SPDX-License-Identifier: Apache-2.0 */
/* orc top pods: CPU and memory of each pod, read from its cgroup as kubectl top shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "fs-util.h"
#include "json-util.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc top pods - CPU and memory use of pods\n"
    "\n"
    "SYNOPSIS\n"
    "    orc top pods [-n NAMESPACE | -A]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints NAME CPU(cores) MEMORY(bytes) as kubectl top does, from each pod's cgroup\n"
    "    (its systemd scope): memory.current, and CPU time over one second of cpu.stat.\n"
    "    Pods without a cgroup of their own (no delegated cgroups, see orc check) show\n"
    "    <unknown>.\n";

/* The pod's cgroup: the message of its orc.dev/LimitsEnforced condition when it is True. */
static const char *pod_cgroup(const json_t *pod)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(pod, "status"), "conditions"), i, c) {
        if (!strcmp(orc_json_str(c, "type") ?: "", "orc.dev/LimitsEnforced") &&
            !strcmp(orc_json_str(c, "status") ?: "", "True"))
            return orc_json_str(c, "message");
    }
    return NULL;
}

static long long read_stat(const char *cgroup, const char *file, const char *key)
{
    _cleanup_free_ char *path = xasprintf("/sys/fs/cgroup%s/%s", cgroup, file);
    _cleanup_free_ char *text = NULL;
    if (!cgroup || strstr(cgroup, "..") || orc_read_file(path, 65536, &text, NULL, NULL) < 0)
        return -1;
    if (!key)
        return strtoll(text, NULL, 10);
    const char *k = strstr(text, key);
    return k ? strtoll(k + strlen(key), NULL, 10) : -1;
}

static void human_bytes(long long b, char *buf, size_t len)
{
    if (b >= 1 << 30)
        snprintf(buf, len, "%lldGi", b >> 30);
    else if (b >= 1 << 20)
        snprintf(buf, len, "%lldMi", b >> 20);
    else
        snprintf(buf, len, "%lldKi", b >> 10);
}

int cmd_top(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    if (argc < 2 || (strcmp(argv[1], "pods") && strcmp(argv[1], "pod") && strcmp(argv[1], "po")))
        return cli_usage_error("top", "orc top supports \"pods\"");
    _cleanup_free_ char *path =
        c->all_ns ? xstrdup("/api/v1/pods") : xasprintf("/api/v1/namespaces/%s/pods", c->ns);
    json_auto_t *list = NULL;
    if (client_call(c, "GET", path, NULL, 0, &list))
        return 1;
    json_t *items = json_object_get(list, "items");
    size_t n = json_array_size(items), i;
    long long *before = xcalloc(n + 1, sizeof(*before));
    json_t *p;
    json_array_foreach(items, i, p)
        before[i] = read_stat(pod_cgroup(p), "cpu.stat", "usage_usec ");
    int64_t t0 = orc_time_mono_ns();
    usleep(1000000); /* CPU use is a rate: one second between two readings */
    double secs = (double) (orc_time_mono_ns() - t0) / 1e9;
    printf("%s%-30s %-12s %s\n", c->all_ns ? "NAMESPACE       " : "", "NAME", "CPU(cores)",
           "MEMORY(bytes)");
    json_array_foreach(items, i, p) {
        json_t *meta = json_object_get(p, "metadata");
        const char *cg = pod_cgroup(p);
        long long after = read_stat(cg, "cpu.stat", "usage_usec ");
        long long mem = read_stat(cg, "memory.current", NULL);
        char cpu[32] = "<unknown>", memory[32] = "<unknown>";
        if (before[i] >= 0 && after >= before[i])
            snprintf(cpu, sizeof(cpu), "%lldm",
                     (long long) ((double) (after - before[i]) / 1000.0 / secs));
        if (mem >= 0)
            human_bytes(mem, memory, sizeof(memory));
        if (c->all_ns)
            printf("%-15s ", orc_json_str(meta, "namespace") ?: "");
        printf("%-30s %-12s %s\n", orc_json_str(meta, "name") ?: "", cpu, memory);
    }
    free(before);
    return 0;
}
