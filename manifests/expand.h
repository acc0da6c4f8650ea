/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A container's environment and command line as kubelet makes them: `$(NAME)` references in
 * env[].value, command and args (kubelet's makeEnvironmentVariables and its expansion rules).
 * Pure: no I/O.
 */
#include <jansson.h>

#include "error.h"
#include "manifest.h"

/* Linux refuses to exec a program with an argument or variable longer than this
 * (MAX_ARG_STRLEN less the NUL) or with more than this in all of them together (3/4 of
 * _STK_LIM, whatever the stack limit): expansion stops there, which also bounds what a
 * manifest can make orcd allocate. */
#define EXPAND_MAX_STRING (128u * 1024 - 1)
#define EXPAND_MAX_TOTAL (6u * 1024 * 1024)

/* Environment variables in the order of their first definition, found by name. */
struct expand_env {
    char **strv;   /* "NAME=value", NULL-terminated; NULL when empty */
    json_t *index; /* NAME -> its position in strv */
};

/* Sets NAME=value: the entry of that name gets the value, or a new one is appended. */
void expand_env_set(struct expand_env *env, const char *name, const char *value);
/* Adds "NAME=value" (a string without '=' is NAME with an empty value). */
void expand_env_put(struct expand_env *env, const char *kv);
/* NAME's value (n bytes at name), or NULL. */
const char *expand_env_get(const struct expand_env *env, const char *name, size_t n);
void expand_env_done(struct expand_env *env);

/*
 * Expands input against env: `$(NAME)` becomes NAME's value, or stays as written when env
 * has no NAME; `$$` becomes `$` (so `$$(NAME)` is the text `$(NAME)`); a `$(` without a
 * closing `)` and a `$` before any other character stay as written. A value is copied as
 * it is, never expanded again. Returns 0 with *ret allocated, or -E2BIG (*ret untouched)
 * when the result would be longer than max bytes.
 */
int expand_refs(const char *input, const struct expand_env *env, size_t max, char **ret);

/* What the downward API reports that the manifest does not hold (NULL reads as ""). */
struct expand_facts {
    const char *pod_uid;    /* metadata.uid */
    const char *node_name;  /* spec.nodeName: the node's name, as the pod's spec says */
    const char *pod_ip;     /* status.podIP(s): NULL without a network */
    const char *host_ip;    /* status.hostIP(s) */
    int64_t node_cpu_milli; /* the node's allocatable cpu (thousandths) and memory (bytes): */
    int64_t node_memory;    /* a limit's value where none is set, as kubelet gives it */
};

/* kubelet's split of "metadata.labels['KEY']" into the path and KEY: false (and nothing set)
 * for a path without a subscript. */
bool expand_split_subscript(const char *path, char **ret_path, char **ret_key);

/*
 * The container's env[] as kubelet makes it: a value is expanded against the variables
 * defined before it in env[] (the image's Env and orc's defaults are no source); a
 * valueFrom.fieldRef gives the pod's field (not expanded), a resourceFieldRef the container's
 * request or limit (the node's allocatable for a limit not set) divided by its divisor and
 * rounded up; an optional configMapKeyRef or
 * secretKeyRef leaves the variable unset (orc has none of them). A name defined twice keeps
 * its first place and takes the last value. Fails with E2BIG when a value would pass
 * EXPAND_MAX_STRING or all of them EXPAND_MAX_TOTAL, EINVAL for a fieldPath orc does not
 * know (only from a stored pod: manifest_parse refuses it).
 */
int expand_container_env(const struct pod *pod, const struct container *c,
                         const struct expand_facts *facts, struct expand_env *ret,
                         orc_error_t *err);

/*
 * command or args, each item expanded against env (expand_container_env's result); NULL for
 * NULL. what names the list in errors ("command", "args").
 */
int expand_strv(char *const *v, const struct expand_env *env, const char *what, char ***ret,
                orc_error_t *err);
