/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's imagePullSecrets into the keyring of its pulls (see pull-secrets.h). */
#include "pods/pull-secrets.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "images/keyring.h"
#include "json-util.h"
#include "manifest.h"
#include "objects.h"
#include "store/store.h"
#include "strv.h"

#define DOCKER_CONFIG_JSON "kubernetes.io/dockerconfigjson"
#define DOCKER_CFG "kubernetes.io/dockercfg"

/* The secret's credentials into k; a type or key kubelet does not read adds nothing. */
static int add_secret(struct keyring *k, const char *name, const json_t *secret, orc_error_t *err)
{
    const char *type = orc_json_str(secret, "type") ?: "";
    bool config_json = !strcmp(type, DOCKER_CONFIG_JSON);
    if (!config_json && strcmp(type, DOCKER_CFG) != 0)
        return 0;
    const char *key = config_json ? ".dockerconfigjson" : ".dockercfg";
    char *text = NULL;
    size_t len = 0;
    int r = secret_data_decode(secret, key, &text, &len, err);
    if (r == -ENOENT) {
        orc_error_release(err);
        return 0;
    }
    if (r == 0 && len > 0)
        r = keyring_add(k, text, len, config_json, err);
    if (text)
        explicit_bzero(text, len);
    free(text);
    if (r < 0)
        return orc_error_wrap(err, "image pull secret \"%s\": %s", name, key);
    return 0;
}

int pull_secrets_keyring(struct store *s, const struct pod *pod, struct keyring **ret_keyring,
                         char ***ret_missing, orc_error_t *err)
{
    struct keyring *k = keyring_new();
    char **missing = NULL;
    for (size_t i = 0; pod->image_pull_secrets && pod->image_pull_secrets[i]; i++) {
        const char *name = pod->image_pull_secrets[i];
        if (!*name)
            continue;
        json_auto_t *secret = NULL;
        int r = store_object_get(s, "Secret", pod->namespace, name, &secret, err);
        if (r == -ENOENT) {
            orc_error_release(err);
            missing = strv_push(missing, name);
            continue;
        }
        if (r < 0 || add_secret(k, name, secret, err) < 0) {
            keyring_free(k);
            strv_free(missing);
            return r < 0 ? orc_error_wrap(err, "read secret %s/%s", pod->namespace, name) : -1;
        }
    }
    if (!keyring_size(k))
        k = keyring_free(k);
    *ret_keyring = k;
    *ret_missing = missing;
    return 0;
}
