/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The files of a configMap, secret, downwardAPI or projected volume, as kubelet makes them
 * (its volume plugins' payloads): pure, from the pod and the objects stored.
 */
#include <jansson.h>
#include <stddef.h>

#include "error.h"
#include "expand.h"
#include "manifest.h"

struct volume_file {
    char *path; /* relative, validated by the manifest's rules */
    char *data;
    size_t len;
    int mode;
};

struct volume_files {
    struct volume_file *files;
    size_t n;
};

/* Whether v's files come from objects or the pod (configMap, secret, downwardAPI,
 * projected). */
bool volume_has_files(const struct volume *v);

/* The ConfigMaps and Secrets the pod's volumes name: {"ConfigMap": {NAME: null}, "Secret":
 * {...}}, empty when none. */
json_t *volume_object_refs(const struct pod *pod);

/*
 * v's files. f->objects holds the objects of the pod's namespace as stored ({"ConfigMap":
 * {NAME: object}, "Secret": {...}}, a Secret's data base64; an absent one is missing).
 * A missing object that is not optional fails with ENOENT in kubelet's words (`configmap
 * "x" not found`), a missing key likewise (`configmap references non-existent config key:
 * k`); an optional one gives no files. Every key of data and binaryData becomes a file
 * unless items chooses; a file's mode is its item's mode, else the volume's defaultMode.
 */
int volume_files_build(const struct pod *pod, const struct volume *v, const struct expand_facts *f,
                       struct volume_files *ret, orc_error_t *err);
void volume_files_done(struct volume_files *files);
