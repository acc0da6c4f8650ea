/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What the machine is and has, read from the kernel and /etc as kubelet reads them for its
 * Node object: only reading here; the object is built elsewhere (node-object.h).
 */
#include <stdint.h>

#include "error.h"

#define NODE_FACTS_MAX_HUGEPAGE_SIZES 4

struct node_facts {
    char *hostname;       /* as the kernel has it */
    char *name;           /* the node's name: the hostname lowercased, as kubelet's default */
    char *machine_id;     /* /etc/machine-id */
    char *system_uuid;    /* /sys/class/dmi/id/product_uuid, when readable ("" when not) */
    char *boot_id;        /* /proc/sys/kernel/random/boot_id */
    char *kernel_version; /* uname -r */
    char *os_image;       /* PRETTY_NAME of os-release, or "Linux" */
    long cpus;            /* CPUs orcd may run on (its affinity mask) */
    int64_t memory;       /* MemTotal, bytes */
    struct {
        int64_t page_size; /* bytes */
        int64_t total;     /* bytes of pages of this size reserved */
    } hugepages[NODE_FACTS_MAX_HUGEPAGE_SIZES];
    unsigned n_hugepages;
};

/* What changes while orcd runs: read for each status. */
struct node_usage {
    int64_t memory_available;  /* MemAvailable, bytes */
    int64_t storage;           /* the data directory's file system: size, bytes */
    int64_t storage_available; /* and what an unprivileged user may still use */
    long tasks;                /* threads running on the machine */
    long pid_max;              /* /proc/sys/kernel/pid_max */
};

/* Reads the facts; fields that cannot be read are "" or 0 (never fails for want of a file:
 * a container may lack /etc/machine-id). Fails only when the hostname is unknown. */
int node_facts_read(struct node_facts *ret, orc_error_t *err);
void node_facts_done(struct node_facts *f);
/* The node's name for a hostname: lowercased, characters a DNS subdomain may not hold
 * turned into '-', "localhost" for an empty one (allocated). */
char *node_facts_name(const char *hostname);
/* Reads usage of the machine and of the file system holding dir. */
void node_usage_read(const char *dir, struct node_usage *ret);
