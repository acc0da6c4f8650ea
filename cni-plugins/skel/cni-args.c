/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cni.h"
#include "json-util.h"
#include "xalloc.h"

static const char *const supported_versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", NULL};

int cni_error(orc_error_t *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = orc_error_makev(err, 0, fmt, ap);
    va_end(ap);
    if (err && *err)
        (*err)->status = CNI_STATUS_BASE + code;
    return r;
}

int cni_error_code(orc_error_t err)
{
    if (err && err->status > CNI_STATUS_BASE)
        return err->status - CNI_STATUS_BASE;
    return CNI_ERR_PLUGIN;
}

const char *cni_error_text(orc_error_t err)
{
    if (!err)
        return "unknown error";
    return err->status > CNI_STATUS_BASE ? err->msg : orc_error_message(err);
}

bool cni_version_supported(const char *version)
{
    for (size_t i = 0; supported_versions[i]; i++)
        if (version && !strcmp(version, supported_versions[i]))
            return true;
    return false;
}

static int parse_command(const char *s, enum cni_command *ret)
{
    static const char *const names[] = {"ADD", "DEL", "CHECK", "VERSION"};
    for (int i = 0; i < _CNI_COMMAND_MAX; i++)
        if (s && !strcmp(s, names[i])) {
            *ret = (enum cni_command) i;
            return 0;
        }
    return -EINVAL;
}

/* Container ids: alphanumerics first, then alphanumerics, '_', '.' and '-' (the spec). */
static bool valid_container_id(const char *s)
{
    if (!s || !isalnum((unsigned char) s[0]))
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
            return false;
    return true;
}

/* Interface names: 1-15 bytes, not "." or "..", no '/', ':' or white space (the spec). */
static bool valid_ifname(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (const char *p = s; *p; p++)
        if (*p == '/' || *p == ':' || isspace((unsigned char) *p))
            return false;
    return true;
}

static int parse_env(cni_getenv_fn get, struct cni_args *a, orc_error_t *err)
{
    const char *cmd = get("CNI_COMMAND");
    if (!cmd || !*cmd)
        return cni_error(err, CNI_ERR_INVALID_ENV, "required env variable CNI_COMMAND is not set");
    if (parse_command(cmd, &a->command) < 0)
        return cni_error(err, CNI_ERR_INVALID_ENV, "unknown CNI_COMMAND '%s'", cmd);
    if (a->command == CNI_VERSION)
        return 0;
    a->container_id = get("CNI_CONTAINERID");
    a->netns = get("CNI_NETNS");
    a->ifname = get("CNI_IFNAME");
    a->args = get("CNI_ARGS");
    a->path = get("CNI_PATH");
    if (a->netns && !*a->netns)
        a->netns = NULL;
    if (!a->container_id || !*a->container_id)
        return cni_error(err, CNI_ERR_INVALID_ENV,
                         "required env variable CNI_CONTAINERID is not set");
    if (!valid_container_id(a->container_id))
        return cni_error(err, CNI_ERR_INVALID_ENV, "invalid CNI_CONTAINERID '%s'", a->container_id);
    if (!a->ifname || !*a->ifname)
        return cni_error(err, CNI_ERR_INVALID_ENV, "required env variable CNI_IFNAME is not set");
    if (!valid_ifname(a->ifname))
        return cni_error(err, CNI_ERR_INVALID_ENV, "invalid CNI_IFNAME '%s'", a->ifname);
    if (!a->netns && a->command != CNI_DEL)
        return cni_error(err, CNI_ERR_INVALID_ENV, "required env variable CNI_NETNS is not set");
    return 0;
}

static int parse_conf(struct cni_args *a, orc_error_t *err)
{
    json_t *c = a->conf;
    if (!json_is_object(c))
        return cni_error(err, CNI_ERR_DECODE, "network configuration must be a JSON object");
    json_t *v = json_object_get(c, "cniVersion");
    if (!json_is_string(v))
        return cni_error(err, CNI_ERR_DECODE, "cniVersion: must be a string");
    a->cni_version = json_string_value(v);
    if (a->command == CNI_VERSION)
        return 0;
    if (!cni_version_supported(a->cni_version))
        return cni_error(err, CNI_ERR_INCOMPATIBLE_VERSION,
                         "incompatible CNI versions: config is \"%s\", plugin supports "
                         "[\"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\"]",
                         a->cni_version);
    if (a->command == CNI_CHECK && strncmp(a->cni_version, "0.3.", 4) == 0)
        return cni_error(err, CNI_ERR_INCOMPATIBLE_VERSION,
                         "config version \"%s\" does not allow CHECK", a->cni_version);
    json_t *name = json_object_get(c, "name"), *type = json_object_get(c, "type");
    if (!json_is_string(name) || !*json_string_value(name))
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "name: must be a non-empty string");
    if (!json_is_string(type) || !*json_string_value(type))
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "type: must be a non-empty string");
    a->name = json_string_value(name);
    a->type = json_string_value(type);
    a->prev_result = json_object_get(c, "prevResult");
    if (json_is_null(a->prev_result))
        a->prev_result = NULL;
    if (a->prev_result && !json_is_object(a->prev_result))
        return cni_error(err, CNI_ERR_DECODE, "prevResult: must be an object");
    a->runtime_config = json_object_get(c, "runtimeConfig");
    if (a->runtime_config && !json_is_object(a->runtime_config))
        return cni_error(err, CNI_ERR_DECODE, "runtimeConfig: must be an object");
    return 0;
}

int cni_args_parse(cni_getenv_fn get, const char *text, size_t len, struct cni_args *ret,
                   orc_error_t *err)
{
    struct cni_args a = {0};
    if (parse_env(get, &a, err) < 0)
        return -1;
    json_error_t jerr;
    a.conf = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    if (!a.conf) {
        if (a.command == CNI_VERSION && len == 0) {
            *ret = a; /* VERSION may come without configuration */
            return 0;
        }
        return cni_error(err, CNI_ERR_DECODE, "decoding network configuration: %s (line %d)",
                         jerr.text, jerr.line);
    }
    if (parse_conf(&a, err) < 0) {
        cni_args_done(&a);
        return -1;
    }
    *ret = a;
    return 0;
}

void cni_args_done(struct cni_args *a)
{
    json_decref(a->conf);
    *a = (struct cni_args){0};
}

json_t *cni_result_passthrough(const struct cni_args *a)
{
    if (a->prev_result)
        return json_deep_copy(a->prev_result);
    return json_pack("{s:s}", "cniVersion", a->cni_version);
}

json_t *cni_result_for_version(json_t *result, const char *version)
{
    json_object_set_new(result, "cniVersion", json_string(version));
    bool legacy = strcmp(version, "1.0.0") != 0;
    size_t i;
    json_t *ip;
    json_array_foreach(json_object_get(result, "ips"), i, ip) {
        const char *addr = orc_json_str(ip, "address") ? orc_json_str(ip, "address") : "";
        if (legacy)
            json_object_set_new(ip, "version", json_string(strchr(addr, ':') ? "6" : "4"));
        else
            json_object_del(ip, "version");
    }
    return result;
}

json_t *cni_error_json(const char *version, orc_error_t err)
{
    return json_pack("{s:s,s:i,s:s}", "cniVersion", version ? version : "1.0.0", "code",
                     cni_error_code(err), "msg", cni_error_text(err));
}

int cni_conf_bool(const json_t *conf, const char *key, bool def, bool *ret, orc_error_t *err)
{
    json_t *v = json_object_get(conf, key);
    if (!v || json_is_null(v)) {
        *ret = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "%s: must be true or false", key);
    *ret = json_is_true(v);
    return 0;
}

int cni_conf_int(const json_t *conf, const char *key, long long def, long long min, long long max,
                 long long *ret, orc_error_t *err)
{
    json_t *v = json_object_get(conf, key);
    if (!v || json_is_null(v)) {
        *ret = def;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "%s: must be an integer from %lld to %lld",
                         key, min, max);
    *ret = json_integer_value(v);
    return 0;
}

int cni_conf_string(const json_t *conf, const char *key, const char **ret, orc_error_t *err)
{
    json_t *v = json_object_get(conf, key);
    if (!v || json_is_null(v)) {
        *ret = NULL;
        return 0;
    }
    if (!json_is_string(v) || !*json_string_value(v))
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "%s: must be a non-empty string", key);
    *ret = json_string_value(v);
    return 0;
}
