/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * The part of containers-registries.conf(5) (podman's registries.conf, TOML, version 2) that
 * orc honours: unqualified-search-registries, and per [[registry]] its location (or prefix),
 * insecure, blocked and its [[registry.mirror]] locations (with insecure). Pure.
 */
struct registry_entry {
    char *location; /* host[:port][/namespace] */
    bool insecure, blocked;
    char **mirrors; /* tried in order before location */
    char **insecure_mirrors;
};

struct registries_conf {
    char **search; /* unqualified-search-registries */
    struct registry_entry *entries;
    size_t n_entries;
};

/* Parses text; unknown keys are ignored (as containers/image warns), errors name the line. */
int registries_conf_parse(const char *text, const char *file, struct registries_conf *ret,
                          orc_error_t *err);
void registries_conf_done(struct registries_conf *c);

/* The entry whose location is the longest prefix of "registry/repository", or NULL. */
const struct registry_entry *registries_conf_find(const struct registries_conf *c,
                                                  const char *registry, const char *repository);
