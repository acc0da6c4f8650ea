/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

/*
 * The plugin side of CNI 1.0: configuration on stdin, parameters in CNI_* variables, a
 * result or an error as JSON on stdout. A plugin fills a struct cni_plugin and calls
 * cni_main(); everything protocol-shaped lives here.
 */

/* The specification's well-known error codes; 100 and up are ours. */
enum cni_error_code {
    CNI_ERR_INCOMPATIBLE_VERSION = 1,
    CNI_ERR_UNSUPPORTED_FIELD = 2,
    CNI_ERR_UNKNOWN_CONTAINER = 3,
    CNI_ERR_INVALID_ENV = 4,
    CNI_ERR_IO = 5,
    CNI_ERR_DECODE = 6,
    CNI_ERR_INVALID_CONFIG = 7,
    CNI_ERR_TRY_AGAIN = 11,
    CNI_ERR_PLUGIN = 100,      /* any other failure of the plugin */
    CNI_ERR_PORT_IN_USE = 101, /* port-forward: a host port is taken */
};

/* Errors carrying a CNI code keep it in their status, above every errno value. */
#define CNI_STATUS_BASE 100000

/* Sets *err with a CNI error code; returns -1. */
int cni_error(orc_error_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The CNI code of an error: its own, or CNI_ERR_PLUGIN. */
int cni_error_code(orc_error_t err);
/* The error's message without the code. */
const char *cni_error_text(orc_error_t err);

enum cni_command {
    CNI_ADD,
    CNI_DEL,
    CNI_CHECK,
    CNI_VERSION,
    _CNI_COMMAND_MAX,
    _CNI_COMMAND_INVALID = -22,
};

/* One invocation: the environment and the parsed configuration. */
struct cni_args {
    enum cni_command command;
    const char *container_id;
    const char *netns; /* may be NULL for DEL */
    const char *ifname;
    const char *args; /* CNI_ARGS, may be NULL */
    const char *path; /* CNI_PATH, may be NULL */
    json_t *conf;     /* the whole configuration object (owned) */
    const char *cni_version;
    const char *name;
    const char *type;
    json_t *prev_result;    /* borrowed from conf, may be NULL */
    json_t *runtime_config; /* borrowed from conf, may be NULL */
};

typedef const char *(*cni_getenv_fn)(const char *name);

/* Parses environment and configuration as the specification demands (pure, no I/O). */
int cni_args_parse(cni_getenv_fn get, const char *stdin_text, size_t len, struct cni_args *ret,
                   orc_error_t *err);
void cni_args_done(struct cni_args *a);

/* Whether version is one this library speaks. */
bool cni_version_supported(const char *version);

/* The result a plugin that adds nothing passes on: prevResult, or an empty result. */
json_t *cni_result_passthrough(const struct cni_args *a);
/* Result as the caller's cniVersion wants it (ips[].version before 1.0.0). */
json_t *cni_result_for_version(json_t *result, const char *version);
/* The error object of the specification. */
json_t *cni_error_json(const char *version, orc_error_t err);

struct cni_plugin {
    const char *name;
    const char *about; /* one line for VERSION's caller and --help */
    const char *usage; /* --help text after the first line */
    int (*add)(const struct cni_args *a, json_t **ret_result, orc_error_t *err);
    int (*del)(const struct cni_args *a, orc_error_t *err);
    int (*check)(const struct cni_args *a, orc_error_t *err);
};

/* Runs one CNI command; returns the process exit status. */
int cni_main(int argc, char **argv, const struct cni_plugin *p);

/* Helpers for configuration fields: a wrong type is CNI_ERR_INVALID_CONFIG. */
int cni_conf_bool(const json_t *conf, const char *key, bool def, bool *ret, orc_error_t *err);
int cni_conf_int(const json_t *conf, const char *key, long long def, long long min, long long max,
                 long long *ret, orc_error_t *err);
int cni_conf_string(const json_t *conf, const char *key, const char **ret, orc_error_t *err);
