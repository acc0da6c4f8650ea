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
    char **strv;    /* "NAME=value", NULL-terminated; NULL when empty */
    json_t *index;  /* NAME -> its position in strv */
    char **skipped; /* what envFrom left out, as kubelet's InvalidEnvironmentVariableNames
                       events say it ("Keys [1a, b c] from the EnvFrom configMap ns/x were
                       skipped ..."); NULL when nothing */
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
    int64_t node_cpu_milli; /* the node's allocatable cpu (thousandths), memory and */
    int64_t node_memory;    /* ephemeral-storage (bytes): a limit's value where none is set, */
    int64_t node_ephemeral_storage; /* as kubelet gives it */
    /* The ConfigMaps and Secrets of the pod's namespace that the container's env and envFrom
     * name and that exist, as stored (a Secret's data base64): {"ConfigMap": {NAME: object},
     * "Secret": {NAME: object}}; what is not there does not exist. NULL: none. */
    const json_t *objects;
};

/* The ConfigMaps and Secrets c's env and envFrom name: {"ConfigMap": {NAME: null, ...},
 * "Secret": {...}} (a kind named by none is absent), for the caller to look them up. */
json_t *expand_container_refs(const struct container *c);

/* kubelet's split of "metadata.labels['KEY']" into the path and KEY: false (and nothing set)
 * for a path without a subscript. */
bool expand_split_subscript(const char *path, char **ret_path, char **ret_key);

/*
 * The container's environment as kubelet's makeEnvironmentVariables makes it: first every
 * envFrom[] item in order (each key of the object's data, prefixed; keys that are no variable
 * name skipped and listed in ret->skipped), then env[], whose entries override them: a value
 * is expanded against the variables defined before it (envFrom's and earlier env[] entries;
 * the image's Env and orc's defaults are no source); a valueFrom.fieldRef gives the pod's
 * field (not expanded), a resourceFieldRef the container's request or limit (the node's
 * allocatable for a limit not set) divided by its divisor and rounded up, a configMapKeyRef
 * or secretKeyRef the key's value from facts->objects (an optional one whose object or key is
 * missing leaves the variable as it was). A name defined twice keeps its first place and
 * takes the last value. Any failure is what kubelet calls CreateContainerConfigError: ENOENT
 * for an object or key that is missing and not optional, with kubelet's message alone
 * ("configmap \"x\" not found", "couldn't find key k in ConfigMap ns/x"); E2BIG when a value
 * would pass EXPAND_MAX_STRING or all of them EXPAND_MAX_TOTAL; EINVAL for a fieldPath orc
 * does not know (only from a stored pod: manifest_parse refuses it).
 */
int expand_container_env(const struct pod *pod, const struct container *c,
                         const struct expand_facts *facts, struct expand_env *ret,
                         orc_error_t *err);

/* A resourceFieldRef that names its container ({containerName, resource, divisor}), as a
 * downward API volume's file gives it: the quantity divided by the divisor, rounded up. */
int expand_resource_field(const struct pod *pod, const json_t *ref, const struct expand_facts *f,
                          char **ret, orc_error_t *err);

/*
 * command or args, each item expanded against env (expand_container_env's result); NULL for
 * NULL. what names the list in errors ("command", "args").
 */
int expand_strv(char *const *v, const struct expand_env *env, const char *what, char ***ret,
                orc_error_t *err);
