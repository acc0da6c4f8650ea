/* SPDX-License-Identifier: Apache-2.0 */
/* The machine's facts for its Node object (see node-facts.h). */
#include "sys/node-facts.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

/* The file's first line, "" when it cannot be read. */
static char *first_line(const char *path)
{
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 64 * 1024, &text, NULL, NULL) < 0)
        return xstrdup("");
    text[strcspn(text, "\n")] = '\0';
    return TAKE_PTR(text);
}

char *node_facts_name(const char *hostname)
{
    size_t n = strnlen(hostname, 253);
    char *name = xstrndup(hostname, n);
    for (char *c = name; *c; c++) {
        *c = (char) tolower((unsigned char) *c);
        if (!isalnum((unsigned char) *c) && *c != '-' && *c != '.')
            *c = '-';
    }
    if (!*name) {
        free(name);
        name = xstrdup("localhost");
    }
    return name;
}

/* os-release(5)'s PRETTY_NAME, unquoted; /etc first, then /usr/lib. */
static char *os_image(void)
{
    static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
    for (size_t i = 0; i < ELEMENTSOF(files); i++) {
        _cleanup_free_ char *text = NULL;
        if (orc_read_file(files[i], 64 * 1024, &text, NULL, NULL) < 0)
            continue;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            if (strncmp(line, "PRETTY_NAME=", 12) != 0)
                continue;
            char *v = line + 12;
            size_t len = strlen(v);
            if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0])
                return xstrndup(v + 1, len - 2);
            return xstrdup(v);
        }
    }
    return xstrdup("Linux");
}

/* A /proc/meminfo value ("MemTotal:  16318132 kB") in bytes, 0 when absent. */
static int64_t meminfo(const char *text, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = text; p && *p;) {
        const char *end = strchrnul(p, '\n');
        if (!strncmp(p, key, k) && p[k] == ':') {
            char *unit = NULL;
            long long v = strtoll(p + k + 1, &unit, 10);
            while (unit < end && *unit == ' ')
                unit++;
            return unit + 2 <= end && !strncmp(unit, "kB", 2) ? v * 1024 : v;
        }
        p = *end ? end + 1 : NULL;
    }
    return 0;
}

static long affinity_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* Every huge page size the kernel offers, with the pages reserved of it. */
static void read_hugepages(struct node_facts *f)
{
    static const char dir[] = "/sys/kernel/mm/hugepages";
    _cleanup_(closedirp) DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && f->n_hugepages < NODE_FACTS_MAX_HUGEPAGE_SIZES) {
        long long kb;
        if (sscanf(e->d_name, "hugepages-%lldkB", &kb) != 1 || kb <= 0)
            continue;
        _cleanup_free_ char *path = xasprintf("%s/%s/nr_hugepages", dir, e->d_name);
        _cleanup_free_ char *nr = first_line(path);
        f->hugepages[f->n_hugepages].page_size = kb * 1024;
        f->hugepages[f->n_hugepages].total = strtoll(nr, NULL, 10) * kb * 1024;
        f->n_hugepages++;
    }
}

int node_facts_read(struct node_facts *ret, orc_error_t *err)
{
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1) < 0)
        return orc_error_make(err, errno, "gethostname");
    struct utsname u = {0};
    (void) uname(&u);
    _cleanup_free_ char *meminfo_text = NULL;
    (void) orc_read_file("/proc/meminfo", 1 << 20, &meminfo_text, NULL, NULL);
    struct node_facts f = {
        .hostname = xstrdup(host),
        .name = node_facts_name(host),
        .machine_id = first_line("/etc/machine-id"),
        .system_uuid = first_line("/sys/class/dmi/id/product_uuid"),
        .boot_id = first_line("/proc/sys/kernel/random/boot_id"),
        .kernel_version = xstrdup(u.release),
        .os_image = os_image(),
        .cpus = affinity_cpus(),
        .memory = meminfo_text ? meminfo(meminfo_text, "MemTotal") : 0,
    };
    read_hugepages(&f);
    *ret = f;
    return 0;
}

void node_facts_done(struct node_facts *f)
{
    free(f->hostname), free(f->name), free(f->machine_id), free(f->system_uuid);
    free(f->boot_id), free(f->kernel_version), free(f->os_image);
    *f = (struct node_facts){0};
}

void node_usage_read(const char *dir, struct node_usage *ret)
{
    struct node_usage u = {0};
    _cleanup_free_ char *text = NULL;
    if (orc_read_file("/proc/meminfo", 1 << 20, &text, NULL, NULL) == 0)
        u.memory_available = meminfo(text, "MemAvailable");
    struct statvfs fs;
    if (statvfs(dir, &fs) == 0) {
        u.storage = (int64_t) fs.f_blocks * (int64_t) fs.f_frsize;
        u.storage_available = (int64_t) fs.f_bavail * (int64_t) fs.f_frsize;
    }
    _cleanup_free_ char *load = first_line("/proc/loadavg"); /* "0.1 0.2 0.3 2/523 4242" */
    const char *slash = strchr(load, '/');
    u.tasks = slash ? strtol(slash + 1, NULL, 10) : 0;
    _cleanup_free_ char *pid_max = first_line("/proc/sys/kernel/pid_max");
    u.pid_max = strtol(pid_max, NULL, 10);
    *ret = u;
}
