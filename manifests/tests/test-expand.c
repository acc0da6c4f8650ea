/* SPDX-License-Identifier: Apache-2.0 */
/* $(NAME) expansion in env, command and args: kubelet's rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "expand.h"
#include "manifest.h"
#include "strv.h"
#include "tap.h"
#include "xalloc.h"

static struct pod *parse_pod(const char *yaml)
{
    struct manifest_result *r = NULL;
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &r) < 0) {
        for (size_t i = 0; r && i < r->n_errors; i++) {
            _cleanup_free_ char *s = manifest_diag_format(&r->errors[i]);
            printf("#   error: %s\n", s);
        }
        abort();
    }
    struct pod *p = r->docs[0].pod;
    r->docs[0].pod = NULL;
    manifest_result_free(r);
    return p;
}

static struct pod *pod_of(const char *container_yaml)
{
    _cleanup_free_ char *yaml = xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                                          "  containers:\n  - name: c\n    image: busybox\n%s",
                                          container_yaml);
    return parse_pod(yaml);
}

static const struct expand_facts facts = {.pod_uid = "0d5e2f6a-uid",
                                          .node_name = "node1",
                                          .pod_ip = "10.0.2.100",
                                          .host_ip = "127.0.0.1"};

/* The env of the pod's first container joined with '|', or the error message; frees p. */
static char *pod_env(struct pod *p, const struct expand_facts *f)
{
    struct expand_env env = {0};
    orc_error_t err = NULL;
    char *out;
    if (expand_container_env(p, &p->containers[0], f, &env, &err) < 0) {
        out = xstrdup(orc_error_message(err));
        orc_error_release(&err);
    } else {
        out = xstrdup("");
        for (size_t i = 0; env.strv && env.strv[i]; i++) {
            char *n = xasprintf("%s%s%s", out, i ? "|" : "", env.strv[i]);
            free(out);
            out = n;
        }
    }
    expand_env_done(&env);
    pod_free(p);
    return out;
}

static char *env_of(const char *container_yaml)
{
    return pod_env(pod_of(container_yaml), &facts);
}

static void check_env(const char *yaml, const char *expected, const char *what)
{
    _cleanup_free_ char *got = env_of(yaml);
    tap_is_str(got, expected, "%s", what);
}

/* input expanded against A=a, EMPTY=, REF=$(A), LONG=<the long value> */
static void check(const char *input, const char *expected)
{
    struct expand_env env = {0};
    expand_env_put(&env, "A=a");
    expand_env_put(&env, "EMPTY=");
    expand_env_put(&env, "REF=$(A)");
    expand_env_put(&env, "B_2.x-y=dotted");
    char *got = NULL;
    int r = expand_refs(input, &env, EXPAND_MAX_STRING, &got);
    tap_ok(r == 0 && got && !strcmp(got, expected), "'%s' -> '%s'", input, expected);
    if (r == 0 && strcmp(got, expected))
        printf("#   got '%s'\n", got);
    free(got);
    expand_env_done(&env);
}

static void test_rules(void)
{
    check("", "");
    check("plain text", "plain text");
    check("$(A)", "a");
    check("x$(A)y$(A)z", "xayaz");
    check("$(B_2.x-y)", "dotted");
    check("$(EMPTY)", "");
    check("<$(EMPTY)>", "<>");
    check("$(NOPE)", "$(NOPE)");
    check("$(NOPE)$(A)", "$(NOPE)a");
    check("$()", "$()");
    check("$(A=a)", "$(A=a)");         /* no variable is named with '=' */
    check("$(REF)", "$(A)");           /* a value is not expanded again */
    check("$$(A)", "$(A)");            /* escaped */
    check("$$$(A)", "$a");             /* "$$" then a reference */
    check("$$$$(A)", "$$(A)");         /* two escapes */
    check("$$$$$(NOPE)", "$$$(NOPE)"); /* two escapes, an unknown name as written */
    check("$$", "$");                  /* an escape alone */
    check("$$A", "$A");                /* an escape before other text */
    check("$A", "$A");                 /* shell syntax is not Kubernetes' */
    check("${A}", "${A}");             /* neither are braces */
    check("a$", "a$");                 /* '$' at the end */
    check("$", "$");                   /* '$' alone */
    check("$(A", "$(A");               /* never closed */
    check("$(", "$(");                 /* never closed, nothing after */
    check("$(A)$(", "a$(");            /* a reference, then one never closed */
    check("$($(A)", "$($(A)");         /* the name is "$(A", which is unknown */
    check("$(x$(A))", "$(x$(A))");     /* no nesting: name "x$(A", then ")" */
    check("$(A$$)", "$(A$$)");         /* escapes inside a name are not escapes */
    check("-$($($(-", "-$($($(-");     /* '$(' several times, never closed */
    check("$?$!$-", "$?$!$-");         /* shell specials pass */
    check("\\$(A)", "\\a");            /* backslashes escape nothing */
    check("caf\xc3\xa9 $\xc3\xa9 $(A)", "caf\xc3\xa9 $\xc3\xa9 a"); /* UTF-8 after '$' */
    check("$$(", "$(");                                             /* an escape, then '(' */
    check("$($$)", "$($$)");                                        /* the name is "$$", unknown */
    check("$(A))", "a)");                                           /* the first ')' closes */
    check("$(A)$$", "a$");         /* a reference, then an escape */
    check("$$$", "$$");            /* an escape, then a '$' at the end */
    check("$(REF)$(A", "$(A)$(A"); /* a value's text is never read as a reference */

    /* the bound: an exact fit passes, one byte more is E2BIG */
    struct expand_env env = {0};
    expand_env_put(&env, "A=0123456789");
    char *got = NULL;
    tap_is_int(expand_refs("$(A)$(A)", &env, 20, &got), 0, "20 bytes within a bound of 20");
    tap_is_str(got, "01234567890123456789", "and complete");
    free(got), got = NULL;
    tap_is_int(expand_refs("$(A)$(A)x", &env, 20, &got), -E2BIG, "21 bytes: E2BIG");
    tap_ok(got == NULL, "nothing returned on E2BIG");
    expand_env_done(&env);
}

/* kubelet's order: each value sees the variables defined before it, nothing after */
static void test_container_env(void)
{
    check_env("    env:\n"
              "    - {name: PORT, value: \"8080\"}\n"
              "    - {name: HOST, value: 10.1.2.3}\n"
              "    - {name: EARLY, value: \"$(SCHEME)://$(HOST):$(PORT)\"}\n"
              "    - {name: SCHEME, value: http}\n"
              "    - {name: URL, value: \"$(SCHEME)://$(HOST):$(PORT)\"}\n"
              "    - {name: LITERAL, value: \"$$(SCHEME)://$(HOST):$(PORT)\"}\n",
              "PORT=8080|HOST=10.1.2.3|EARLY=$(SCHEME)://10.1.2.3:8080|SCHEME=http|"
              "URL=http://10.1.2.3:8080|LITERAL=$(SCHEME)://10.1.2.3:8080",
              "dependent variables: only earlier ones expand, $$ escapes");
    check_env("    env:\n"
              "    - {name: A, value: \"$(A)\"}\n"
              "    - {name: B, value: \"$(A)-$(B)\"}\n",
              "A=$(A)|B=$(A)-$(B)", "a variable does not see itself; a value is not re-expanded");
    check_env("    env:\n"
              "    - {name: A, value: one}\n"
              "    - {name: B, value: \"$(A)\"}\n"
              "    - {name: A, value: \"$(A)+two\"}\n"
              "    - {name: C, value: \"$(A)\"}\n",
              "A=one+two|B=one|C=one+two",
              "a name defined twice: first place, last value, which sees the first");
    check_env("    env:\n    - {name: E}\n    - {name: F, value: \"[$(E)]\"}\n", "E=|F=[]",
              "a variable without a value is defined and empty");
    check_env("", "", "no env");

    /* each definition doubles the last: the bound stops it long before memory does */
    char *yaml = xstrdup("    env:\n    - {name: V0, value: 0123456789abcdef}\n");
    for (int i = 1; i <= 30; i++) {
        char *n =
            xasprintf("%s    - {name: V%d, value: \"$(V%d)$(V%d)\"}\n", yaml, i, i - 1, i - 1);
        free(yaml);
        yaml = n;
    }
    char *got = env_of(yaml);
    tap_ok(strstr(got, "env[13] 'V13': the value expands to more than 131071 bytes") != NULL,
           "a doubling chain is refused where one value passes 128 KiB: %.80s", got);
    free(got);
    free(yaml);
}

static void test_strv(void)
{
    struct expand_env env = {0};
    expand_env_put(&env, "MESSAGE=hello");
    char *in[] = {"echo", "$(MESSAGE)", "$$(MESSAGE)", "$(UNSET)", NULL};
    char **out = NULL;
    orc_error_t err = NULL;
    tap_is_int(expand_strv(in, &env, "args", &out, &err), 0, "args expand");
    tap_ok(out && strv_length(out) == 4 && !strcmp(out[0], "echo") && !strcmp(out[1], "hello") &&
               !strcmp(out[2], "$(MESSAGE)") && !strcmp(out[3], "$(UNSET)"),
           "each item: hello, $(MESSAGE), $(UNSET)");
    strv_free(out);
    out = (char **) 1;
    tap_is_int(expand_strv(NULL, &env, "args", &out, &err), 0, "no args");
    tap_ok(out == NULL, "stay none (the image's Cmd is used)");
    char *empty[] = {NULL};
    tap_is_int(expand_strv(empty, &env, "args", &out, &err), 0, "empty args");
    tap_ok(out && out[0] == NULL, "stay empty, not none");
    strv_free(out);
    expand_env_done(&env);

    /* a long value used many times: refused once the list passes the total */
    char *big = xmalloc(100001);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    expand_env_set(&env, "BIG", big);
    free(big);
    char *many[70];
    for (int i = 0; i < 69; i++)
        many[i] = "$(BIG)";
    many[69] = NULL;
    out = NULL;
    tap_ok(expand_strv(many, &env, "command", &out, &err) < 0 && out == NULL,
           "69 x 100 kB of command is refused");
    tap_ok(err && strstr(orc_error_message(err), "command[62]: it expands to more than") &&
               !strstr(orc_error_message(err), "Argument list too long"),
           "naming the item where the total passed 6 MiB: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
    expand_env_done(&env);
}

/* valueFrom.fieldRef: the pod's fields as kubelet gives them, never expanded */
static const char fields_yaml[] =
    "apiVersion: v1\nkind: Pod\n"
    "metadata: {name: web, namespace: team, labels: {app: shop},\n"
    "  annotations: {note: \"$(NAME)\", team.example.com/owner: ops}}\n"
    "spec:\n"
    "  %s\n"
    "  containers:\n"
    "  - name: c\n"
    "    image: busybox\n"
    "    env:\n"
    "    - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n"
    "    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}\n"
    "    - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}\n"
    "    - {name: APP, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['app']\"}}}\n"
    "    - {name: NOLABEL, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['x']\"}}}\n"
    "    - {name: NOTE, valueFrom: {fieldRef: {fieldPath: \"metadata.annotations['note']\"}}}\n"
    "    - {name: OWNER, valueFrom: {fieldRef: {fieldPath: "
    "\"metadata.annotations['team.example.com/owner']\"}}}\n"
    "    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}\n"
    "    - {name: HOST, valueFrom: {fieldRef: {fieldPath: spec.host}}}\n"
    "    - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}\n"
    "    - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}\n"
    "    - {name: HOST_IPS, valueFrom: {fieldRef: {fieldPath: status.hostIPs}}}\n"
    "    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n"
    "    - {name: POD_IPS, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}\n"
    "    - {name: URL, value: \"http://$(POD_IP):80/$(NAME)\"}\n"
    "    - {name: NAME, valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}}\n"
    "    - {name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}}\n"
    "    - {name: USE, value: \"$(TOKEN)$(NAME)\"}\n";

static char *fields_env(const char *spec_line, const struct expand_facts *f)
{
    _cleanup_free_ char *yaml = xasprintf(fields_yaml, spec_line);
    return pod_env(parse_pod(yaml), f);
}

static void test_fields(void)
{
    _cleanup_free_ char *got = fields_env("restartPolicy: Always", &facts);
    tap_is_str(got,
               "NAME=web|NS=team|UID=0d5e2f6a-uid|APP=shop|NOLABEL=|NOTE=$(NAME)|OWNER=ops|"
               "NODE=node1|HOST=node1|SA=default|HOST_IP=127.0.0.1|HOST_IPS=127.0.0.1|"
               "POD_IP=10.0.2.100|POD_IPS=10.0.2.100|URL=http://10.0.2.100:80/web|USE=$(TOKEN)web",
               "fields as given (a missing label empty), not expanded, used by later values; an "
               "optional Secret's variable is left out, keeping an earlier definition");
    struct expand_facts no_net = facts;
    no_net.pod_ip = NULL;
    _cleanup_free_ char *named =
        fields_env("serviceAccount: old\n  serviceAccountName: builder", &no_net);
    tap_ok(strstr(named, "|SA=builder|") && strstr(named, "|POD_IP=|POD_IPS=|") &&
               strstr(named, "|URL=http://:80/web|"),
           "serviceAccountName as written; without a network the pod's address is empty: %s",
           named);
    _cleanup_free_ char *old = fields_env("serviceAccount: old", &facts);
    tap_ok(strstr(old, "|SA=old|") != NULL, "the older serviceAccount when alone: %s", old);

    /* what the store keeps gives the same env */
    _cleanup_free_ char *yaml = xasprintf(fields_yaml, "serviceAccountName: builder");
    struct pod *parsed = parse_pod(yaml), *back = NULL;
    json_t *j = pod_to_json(parsed);
    orc_error_t e = NULL;
    tap_ok(pod_from_json(j, &back, &e) == 0, "valueFrom and serviceAccountName read back");
    json_t *again = back ? pod_to_json(back) : NULL;
    tap_ok(again && json_equal(j, again), "and written again the same");
    _cleanup_free_ char *stored = back ? pod_env(back, &facts) : NULL;
    _cleanup_free_ char *fresh = pod_env(parsed, &facts);
    tap_is_str(stored, fresh, "the stored pod's env equals the parsed one's");
    json_decref(j);
    json_decref(again);

    /* a stored pod is trusted, still a field orc does not know fails the container */
    struct pod *p =
        pod_of("    env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]\n");
    json_object_set_new(json_object_get(p->containers[0].env[0].value_from, "fieldRef"),
                        "fieldPath", json_string("status.phase"));
    _cleanup_free_ char *err = pod_env(p, &facts);
    tap_is_str(err, "env[0] 'A': unsupported fieldPath 'status.phase'",
               "an unknown fieldPath from the store is an error");
}

/* resourceFieldRef: kubelet's quotient rounded up; a limit not set is the node's allocatable */
static void test_resources(void)
{
    struct expand_facts node = facts;
    node.node_cpu_milli = 2000;
    node.node_memory = 4LL << 30;
    struct pod *p = parse_pod(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - name: c\n    image: busybox\n"
        "    resources: {requests: {memory: 32Mi, cpu: 125m}, limits: {memory: 64Mi, cpu: 250m}}\n"
        "    env:\n"
        "    - {name: CPU_REQ, valueFrom: {resourceFieldRef: {containerName: c, resource: "
        "requests.cpu}}}\n"
        "    - {name: CPU_LIM, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}\n"
        "    - {name: CPU_MILLI, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: "
        "1m}}}\n"
        "    - {name: MEM_REQ, valueFrom: {resourceFieldRef: {resource: requests.memory}}}\n"
        "    - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: "
        "1Mi}}}\n"
        "    - {name: SIDE_CPU, valueFrom: {resourceFieldRef: {containerName: side, resource: "
        "limits.cpu, divisor: 1m}}}\n"
        "    - {name: SIDE_MEM, valueFrom: {resourceFieldRef: {containerName: side, resource: "
        "limits.memory, divisor: 1Gi}}}\n"
        "    - {name: SIDE_REQ, valueFrom: {resourceFieldRef: {containerName: side, resource: "
        "requests.memory, divisor: 1}}}\n"
        "  - name: side\n    image: busybox\n");
    json_t *j = pod_to_json(p);
    struct pod *back = NULL;
    orc_error_t e = NULL;
    tap_ok(pod_from_json(j, &back, &e) == 0, "resourceFieldRef read back from the store");
    orc_error_release(&e);
    json_decref(j);
    _cleanup_free_ char *stored = back ? pod_env(back, &node) : NULL;
    _cleanup_free_ char *got = p ? pod_env(p, &node) : NULL;
    tap_is_str(stored, got, "the stored pod's env equals the parsed one's");
    tap_is_str(got,
               "CPU_REQ=1|CPU_LIM=1|CPU_MILLI=250|MEM_REQ=33554432|MEM_MI=64|SIDE_CPU=2000|"
               "SIDE_MEM=4|SIDE_REQ=0",
               "requests and limits divided and rounded up (the docs' example: 1 1 33554432 "
               "67108864); another container's by name; no limit: the node's; no request: 0");
    struct pod *q =
        parse_pod("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                  "  - name: c\n    image: busybox\n"
                  "    env: [{name: X, valueFrom: {resourceFieldRef: {containerName: c, resource: "
                  "limits.cpu}}}]\n");
    json_object_set_new(json_object_get(q->containers[0].env[0].value_from, "resourceFieldRef"),
                        "containerName", json_string("gone"));
    _cleanup_free_ char *err = pod_env(q, &node);
    tap_ok(strstr(err, "the pod has no container 'gone'") != NULL, "an unknown container: %s", err);
}

/* ConfigMaps and Secrets as the store holds them (a Secret's data base64) */
static const char objects_json[] =
    "{\"ConfigMap\": {\"special-config\": {\"metadata\": {\"name\": \"special-config\"},"
    "  \"data\": {\"special.how\": \"very\", \"SPECIAL_TYPE\": \"charm\", \"1bad\": \"x\","
    "           \"with space\": \"y\"}, \"binaryData\": {\"bin\": \"AAE=\"}}},"
    " \"Secret\": {\"creds\": {\"metadata\": {\"name\": \"creds\"},"
    "  \"data\": {\"username\": \"bXktYXBw\", \"password\": \"Mzk1MjgkdmRnN0pi\", \"e\": \"\"}},"
    "  \"binary\": {\"metadata\": {\"name\": \"binary\"}, \"data\": {\"nul\": \"YQBi\","
    "  \"bad\": \"a*==\"}}}}";

static char *sources_env(const char *container_yaml)
{
    json_error_t jerr;
    json_auto_t *objects = json_loads(objects_json, 0, &jerr);
    if (!objects)
        abort();
    struct expand_facts f = facts;
    f.objects = objects;
    return pod_env(pod_of(container_yaml), &f);
}

static void test_sources(void)
{
    _cleanup_free_ char *got = sources_env(
        "    envFrom:\n"
        "    - {prefix: CFG_, configMapRef: {name: special-config}}\n"
        "    - secretRef: {name: creds}\n"
        "    - {configMapRef: {name: absent, optional: true}}\n"
        "    env:\n"
        "    - {name: LEVEL, valueFrom: {configMapKeyRef: {name: special-config, key: "
        "special.how}}}\n"
        "    - {name: CFG_SPECIAL_TYPE, value: \"$(CFG_SPECIAL_TYPE)-override\"}\n"
        "    - {name: USER, valueFrom: {secretKeyRef: {name: creds, key: username}}}\n"
        "    - {name: username, valueFrom: {secretKeyRef: {name: gone, key: x, optional: true}}}\n"
        "    - {name: NOKEY, valueFrom: {configMapKeyRef: {name: special-config, key: no, "
        "optional: true}}}\n"
        "    - {name: URL, value: \"$(USER):$(password)@$(CFG_special.how)\"}\n");
    tap_is_str(got,
               "CFG_special.how=very|CFG_SPECIAL_TYPE=charm-override|CFG_1bad=x|"
               "username=my-app|password=39528$vdg7Jb|e=|LEVEL=very|USER=my-app|"
               "URL=my-app:39528$vdg7Jb@very",
               "envFrom first (prefixed, a Secret's data decoded), env overrides it and sees it; "
               "an optional missing object or key leaves the variable as it was");
}

/* what kubelet refuses: the container waits with CreateContainerConfigError and its message */
static void test_sources_missing(void)
{
    static const struct {
        const char *yaml, *error;
    } cases[] = {
        {"    env: [{name: A, valueFrom: {configMapKeyRef: {name: nope, key: k}}}]\n",
         "configmap \"nope\" not found"},
        {"    env: [{name: A, valueFrom: {secretKeyRef: {name: nope, key: k, optional: false}}}]\n",
         "secret \"nope\" not found"},
        {"    env: [{name: A, valueFrom: {configMapKeyRef: {name: special-config, key: k}}}]\n",
         "couldn't find key k in ConfigMap default/special-config"},
        {"    env: [{name: A, valueFrom: {configMapKeyRef: {name: special-config, key: bin}}}]\n",
         "couldn't find key bin in ConfigMap default/special-config"},
        {"    env: [{name: A, valueFrom: {secretKeyRef: {name: creds, key: token}}}]\n",
         "couldn't find key token in Secret default/creds"},
        {"    envFrom: [{configMapRef: {name: nope}}]\n", "configmap \"nope\" not found"},
        {"    envFrom: [{secretRef: {name: nope, optional: false}}]\n",
         "secret \"nope\" not found"},
        {"    env: [{name: A, valueFrom: {secretKeyRef: {name: binary, key: nul}}}]\n",
         "env[0] 'A': couldn't use key nul in Secret default/binary: its value holds a NUL byte, "
         "which no environment variable can carry"},
        {"    envFrom: [{secretRef: {name: binary}}]\n",
         "couldn't use key nul in Secret default/binary: its value holds a NUL byte, which no "
         "environment variable can carry"},
        {"    env: [{name: A, valueFrom: {secretKeyRef: {name: binary, key: bad}}}]\n",
         "env[0] 'A': secret \"binary\": data[bad]: illegal base64 data at input byte 1"},
    };
    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        _cleanup_free_ char *got = sources_env(cases[i].yaml);
        tap_is_str(got, cases[i].error, "missing: %s", cases[i].error);
    }
}

/* envFrom's keys that are no variable name: skipped, listed as kubelet's event says */
static void test_sources_skipped(void)
{
    json_error_t jerr;
    json_auto_t *objects = json_loads(objects_json, 0, &jerr);
    struct expand_facts f = facts;
    f.objects = objects;
    struct pod *p = pod_of("    envFrom: [{configMapRef: {name: special-config}}, "
                           "{prefix: P_, configMapRef: {name: special-config}}]\n");
    struct expand_env env = {0};
    orc_error_t err = NULL;
    tap_is_int(expand_container_env(p, &p->containers[0], &f, &env, &err), 0, "envFrom");
    _cleanup_free_ char *vars = strv_join(env.strv, "|");
    tap_is_str(vars,
               "special.how=very|SPECIAL_TYPE=charm|P_special.how=very|P_SPECIAL_TYPE=charm|"
               "P_1bad=x",
               "valid names set, with the prefix 1bad is one");
    tap_is_int((long long) strv_length(env.skipped), 2, "two lists of skipped keys");
    tap_is_str(env.skipped ? env.skipped[0] : NULL,
               "Keys [1bad, with space] from the EnvFrom configMap default/special-config were "
               "skipped since they are considered invalid environment variable names.",
               "kubelet's InvalidEnvironmentVariableNames message, keys sorted");
    tap_is_str(env.skipped && env.skipped[1] ? env.skipped[1] : NULL,
               "Keys [P_with space] from the EnvFrom configMap default/special-config were "
               "skipped since they are considered invalid environment variable names.",
               "prefixed");
    expand_env_done(&env);

    json_auto_t *refs = expand_container_refs(&p->containers[0]);
    _cleanup_free_ char *text = json_dumps(refs, JSON_COMPACT | JSON_SORT_KEYS);
    tap_is_str(text, "{\"ConfigMap\":{\"special-config\":null}}", "the objects named, once");
    pod_free(p);
    p = pod_of("    envFrom: [{secretRef: {name: s1}}]\n"
               "    env: [{name: A, valueFrom: {configMapKeyRef: {name: c1, key: k}}},\n"
               "          {name: B, valueFrom: {secretKeyRef: {name: s2, key: k}}},\n"
               "          {name: C, value: x}]\n");
    json_decref(refs);
    refs = expand_container_refs(&p->containers[0]);
    free(text);
    text = json_dumps(refs, JSON_COMPACT | JSON_SORT_KEYS);
    tap_is_str(text, "{\"ConfigMap\":{\"c1\":null},\"Secret\":{\"s1\":null,\"s2\":null}}",
               "from env and envFrom, by kind");
    pod_free(p);
}

/* ephemeral-storage: orc refuses a limit, so the node's; a request as written, else 0 */
static void test_storage(void)
{
    struct expand_facts node = facts;
    node.node_ephemeral_storage = 100LL << 30;
    _cleanup_free_ char *got =
        pod_env(pod_of("    env:\n"
                       "    - {name: LIM, valueFrom: {resourceFieldRef: {resource: "
                       "limits.ephemeral-storage, divisor: 1Gi}}}\n"
                       "    - {name: LIM_B, valueFrom: {resourceFieldRef: {resource: "
                       "limits.ephemeral-storage}}}\n"
                       "    - {name: REQ, valueFrom: {resourceFieldRef: {resource: "
                       "requests.ephemeral-storage}}}\n"),
                &node);
    tap_is_str(got, "LIM=100|LIM_B=107374182400|REQ=0",
               "limits.ephemeral-storage is the node's allocatable; no request: 0");
    struct pod *p = pod_of("    resources: {requests: {ephemeral-storage: 500Mi, memory: 1k}}\n"
                           "    env:\n"
                           "    - {name: REQ, valueFrom: {resourceFieldRef: {resource: "
                           "requests.ephemeral-storage, divisor: 1Mi}}}\n"
                           "    - {name: REQ_B, valueFrom: {resourceFieldRef: {resource: "
                           "requests.ephemeral-storage}}}\n");
    json_t *j = pod_to_json(p);
    struct pod *back = NULL;
    orc_error_t e = NULL;
    tap_ok(pod_from_json(j, &back, &e) == 0, "an ephemeral-storage request read back");
    _cleanup_free_ char *text = json_dumps(
        json_object_get(
            json_object_get(
                json_array_get(json_object_get(json_object_get(j, "spec"), "containers"), 0),
                "resources"),
            "requests"),
        JSON_COMPACT | JSON_SORT_KEYS);
    tap_is_str(text, "{\"ephemeral-storage\":\"524288000\",\"memory\":\"1000\"}",
               "stored in bytes, as memory");
    json_decref(j);
    _cleanup_free_ char *req = back ? pod_env(back, &node) : NULL;
    tap_is_str(req, "REQ=500|REQ_B=524288000", "requests.ephemeral-storage as written");
    pod_free(p);
}

int main(void)
{
    test_rules();
    test_container_env();
    test_strv();
    test_fields();
    test_resources();
    test_sources();
    test_sources_missing();
    test_sources_skipped();
    test_storage();
    return tap_done();
}
