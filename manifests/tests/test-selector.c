/* SPDX-License-Identifier: Apache-2.0 */
/* Label and field selectors: what parses, what matches, and the API server's errors. */
#include <errno.h>
#include <string.h>

#include "selector.h"
#include "tap.h"

static json_t *labels(const char *text)
{
    json_error_t e;
    return json_loads(text, 0, &e);
}

static void label_match(const char *sel, const char *lbls, bool want)
{
    _cleanup_(label_selector_freep) struct label_selector *s = NULL;
    orc_error_t err = NULL;
    json_auto_t *l = labels(lbls);
    if (label_selector_parse(sel, &s, &err) < 0) {
        tap_ok(false, "'%s' parses: %s", sel, orc_error_message(err));
        orc_error_release(&err);
        return;
    }
    tap_ok(label_selector_matches(s, l) == want, "'%s' %s %s", sel,
           want ? "matches" : "does not match", lbls);
}

static void label_refused(const char *sel, const char *msg)
{
    struct label_selector *s = NULL;
    orc_error_t err = NULL;
    tap_ok(label_selector_parse(sel, &s, &err) == -EINVAL && !s, "'%s' is refused", sel);
    tap_is_str(err ? orc_error_message(err) : NULL, msg, "'%s': the API server's message", sel);
    orc_error_release(&err);
}

static void test_labels(void)
{
    label_match("app=web", "{\"app\":\"web\"}", true);
    label_match("app=web", "{\"app\":\"db\"}", false);
    label_match("app=web", "{}", false);
    label_match("app==web", "{\"app\":\"web\"}", true);
    label_match("app!=web", "{}", true);
    label_match("app!=web", "{\"app\":\"web\"}", false);
    label_match("env in (prod, staging)", "{\"env\":\"staging\"}", true);
    label_match("env in (prod,staging)", "{\"env\":\"dev\"}", false);
    label_match("env notin (dev)", "{\"env\":\"prod\"}", true);
    label_match("env notin (dev)", "{}", true);
    label_match("env notin (dev)", "{\"env\":\"dev\"}", false);
    label_match("app", "{\"app\":\"\"}", true);
    label_match("app", "{\"tier\":\"x\"}", false);
    label_match("!app", "{\"tier\":\"x\"}", true);
    label_match("!app", "{\"app\":\"x\"}", false);
    label_match(" app = web , tier in (a,b) ", "{\"app\":\"web\",\"tier\":\"b\"}", true);
    label_match("app=web,tier in (a,b)", "{\"app\":\"web\",\"tier\":\"c\"}", false);
    label_match("a in ()", "{\"a\":\"\"}", true);
    label_match("a in (x,,y)", "{\"a\":\"\"}", true);
    label_match("a=", "{\"a\":\"\"}", true);
    label_match("in in (in,notin)", "{\"in\":\"notin\"}", true);
    label_match("example.com/role=db", "{\"example.com/role\":\"db\"}", true);
    label_match("n>3", "{\"n\":\"5\"}", true);
    label_match("n<3", "{\"n\":\"5\"}", false);
    label_match("n>3", "{\"n\":\"x\"}", false);
    label_match("", "{\"n\":\"x\"}", true);
    label_match("app=web", "null", false);

    _cleanup_(label_selector_freep) struct label_selector *s = NULL;
    tap_ok(label_selector_parse("", &s, NULL) == 0 && label_selector_empty(s),
           "an empty selector has no requirement");

    label_refused("app in", "unable to parse requirement: found '' expected: '('");
    label_refused("app=web,", "found '', expected: identifier after ','");
    label_refused("app web", "unable to parse requirement: found 'web', expected: in, notin, "
                             "=, ==, !=, gt, lt");
    label_refused(",app", "found ',', expected: !, identifier, or 'end of string'");
    label_refused("app=x)", "found ')', expected: ',' or 'end of string'");
    label_refused("a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'");
    label_refused("a in x", "unable to parse requirement: found 'x' expected: '('");
    label_refused("a in (=)",
                  "unable to parse requirement: found '=', expected: ',', ')' or identifier");
    label_refused("-app=x",
                  "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must "
                  "consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                  "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                  "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
    label_refused("app=a/b",
                  "unable to parse requirement: values[0][app]: Invalid value: \"a/b\": a valid "
                  "label must be an empty string or consist of alphanumeric characters, '-', "
                  "'_' or '.', and must start and end with an alphanumeric character (e.g. "
                  "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    label_refused("a/b/c",
                  "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified "
                  "name must consist of alphanumeric characters, '-', '_' or '.', and must "
                  "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name', "
                  " or '123-abc', regex used for validation is "
                  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                  "prefix and '/' (e.g. 'example.com/MyName')");
    label_refused("Example.com/app",
                  "unable to parse requirement: <nil>: Invalid value: \"Example.com/app\": "
                  "prefix part a lowercase RFC 1123 subdomain must consist of lower case "
                  "alphanumeric characters, '-' or '.', and must start and end with an "
                  "alphanumeric character (e.g. 'example.com', regex used for validation is "
                  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    label_refused("/app", "unable to parse requirement: <nil>: Invalid value: \"/app\": prefix "
                          "part must be non-empty");
    label_refused("n>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for "
                         "'Gt', 'Lt' operators, the value must be an integer");
    label_refused("a=0123456789012345678901234567890123456789012345678901234567890123",
                  "unable to parse requirement: values[0][a]: Invalid value: "
                  "\"0123456789012345678901234567890123456789012345678901234567890123\": must "
                  "be no more than 63 characters");
}

static const char pod[] =
    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
    "\"spec\":{\"nodeName\":\"n1\",\"restartPolicy\":\"Always\"},"
    "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.2.100\"}}";
static const char event[] =
    "{\"kind\":\"Event\",\"metadata\":{\"name\":\"web.1\",\"namespace\":\"default\"},"
    "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web\",\"namespace\":\"default\"},"
    "\"reason\":\"Started\",\"type\":\"Normal\",\"source\":{\"component\":\"kubelet\"},"
    "\"reportingComponent\":\"orcd\"}";
static const char node[] = "{\"kind\":\"Node\",\"metadata\":{\"name\":\"host\"},\"spec\":{}}";

static void field_match(const char *kind, const char *sel, const char *obj, bool want)
{
    _cleanup_(field_selector_freep) struct field_selector *s = NULL;
    orc_error_t err = NULL;
    json_auto_t *o = labels(obj);
    if (field_selector_parse(sel, kind, &s, &err) < 0) {
        tap_ok(false, "%s '%s' parses: %s", kind, sel, orc_error_message(err));
        orc_error_release(&err);
        return;
    }
    tap_ok(field_selector_matches(s, o) == want, "%s '%s' %s", kind, sel,
           want ? "matches" : "does not match");
}

static void field_refused(const char *kind, const char *sel, const char *msg)
{
    struct field_selector *s = NULL;
    orc_error_t err = NULL;
    tap_ok(field_selector_parse(sel, kind, &s, &err) == -EINVAL && !s, "%s '%s' is refused", kind,
           sel);
    tap_is_str(err ? orc_error_message(err) : NULL, msg, "'%s': the API server's message", sel);
    orc_error_release(&err);
}

static void test_fields(void)
{
    field_match("Pod", "status.phase=Running", pod, true);
    field_match("Pod", "status.phase!=Running", pod, false);
    field_match("Pod", "metadata.name==web,metadata.namespace=default", pod, true);
    field_match("Pod", "metadata.namespace=default,metadata.name=db", pod, false);
    field_match("Pod", "spec.nodeName=n1,status.podIP=10.0.2.100", pod, true);
    field_match("Pod", "spec.hostNetwork=false", pod, true);
    field_match("Pod", "spec.schedulerName=", pod, true);
    field_match("Pod", "status.nominatedNodeName!=", pod, false);
    field_match("Pod", "", pod, true);
    field_match("Event", "involvedObject.name=web,involvedObject.kind=Pod", event, true);
    field_match("Event", "involvedObject.name=db", event, false);
    field_match("Event", "source=kubelet,reportingComponent=orcd,type=Normal", event, true);
    field_match("Event", "reason!=Started", event, false);
    field_match("Node", "spec.unschedulable=false", node, true);
    field_match("Node", "spec.unschedulable=true", node, false);
    field_match("ConfigMap", "metadata.name=host", node, true);
    field_match("Pod", "metadata.name=a\\,b", "{\"metadata\":{\"name\":\"a,b\"}}", true);

    _cleanup_(field_selector_freep) struct field_selector *s = NULL;
    tap_ok(field_selector_parse("metadata.namespace=ns1,metadata.name!=x", "Pod", &s, NULL) == 0,
           "a selector with two terms parses");
    tap_is_str(field_selector_exact(s, "metadata.namespace"), "ns1", "its namespace is exact");
    tap_ok(!field_selector_exact(s, "metadata.name"), "a '!=' term is not exact");

    field_refused("Pod", "spec.foo=bar", "field label not supported: spec.foo");
    field_refused("Node", "metadata.namespace=x", "field label not supported: metadata.namespace");
    field_refused("Pod", "status.phase",
                  "invalid selector: 'status.phase'; can't understand "
                  "'status.phase'");
    field_refused("Pod", "metadata.name=a=b",
                  "invalid field selector: unescaped character in value: 61");
    field_refused("Pod", "metadata.name=a\\x",
                  "invalid field selector: invalid escape sequence: "
                  "\\x");
    field_refused("Pod", "metadata.name=a\\",
                  "invalid field selector: invalid escape sequence: "
                  "\\");
    field_refused("Pod", "spec.foo=1,metadata.name=a\\x",
                  "invalid field selector: invalid escape sequence: \\x");
}

int main(void)
{
    test_labels();
    test_fields();
    return tap_done();
}
