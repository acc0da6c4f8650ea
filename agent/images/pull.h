/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"
#include "images/registry-client.h"

struct images;

/* What a pull reports while it runs: one line per event for plain output, numbers for bars. */
enum pull_event {
    PULL_RESOLVED,   /* the manifest is known: digest and layer count */
    PULL_LAYER,      /* bytes of one blob so far */
    PULL_LAYER_DONE, /* one blob downloaded and verified (or present already) */
    PULL_STORING,    /* all downloaded: unpacking and recording */
    _PULL_EVENT_MAX,
    _PULL_EVENT_INVALID = -22,
};

struct pull_report {
    enum pull_event event;
    const char *digest;  /* manifest (RESOLVED) or blob (LAYER*) */
    int64_t done, total; /* bytes */
    int n_blobs;         /* RESOLVED: config and layers */
};

typedef void (*pull_report_fn)(void *arg, const struct pull_report *r);

/*
 * Pulls ref ("busybox", "registry.example:5000/team/app:1.2", "...@sha256:...") into the
 * store: the manifest (an index picks linux/<this machine's architecture>), then config and
 * layers, several at once, each verified before use. Atomic: a failed pull installs
 * nothing. *ret_id is the image id; report may be NULL.
 */
int image_pull(struct images *im, const struct registry_options *opts, const char *ref,
               pull_report_fn report, void *arg, char **ret_id, orc_error_t *err);

/* Splits a normalised reference into registry, repository and tag or digest (pure). */
int image_ref_split(const char *normalized, char **ret_registry, char **ret_repository,
                    char **ret_reference);
