/* SPDX-License-Identifier: Apache-2.0 */
/* The API's loopback port: its default per user, and a port already taken, named with who
 * holds it. Another user's squatter: tests/e2e/test-kube-auth.sh. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "sys/tcp-listen.h"
#include "tap.h"

static const char proc_net_tcp[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n"
    "   0: 0100007F:4390 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1003        "
    "0 3 1 0000000000000000 20 4 30 10 -1\n"
    "   1: 0100007F:4390 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        "
    "0 12345 1 0000000000000000 100 0 0 10 0\n"
    "   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
    "0 222 1 0000000000000000 100 0 0 10 0\n";

static const char proc_net_tcp6[] =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:4391 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000 100000        0 777 1 0000000000000000 100 0 0 10 0\n";

static void test_parse(void)
{
    uid_t uid = 0;
    tap_ok(tcp_port_owner_parse(proc_net_tcp, 0x4390, &uid), "port 17296 is held");
    tap_is_int(uid, 1001, "by the listener's uid, not a connection's");
    tap_ok(tcp_port_owner_parse(proc_net_tcp6, 0x4391, &uid) && uid == 100000,
           "an IPv6 wildcard listener");
    tap_ok(tcp_port_owner_parse(proc_net_tcp, 22, &uid) && uid == 0, "port 22: root");
    tap_ok(!tcp_port_owner_parse(proc_net_tcp, 80, &uid), "port 80: no one");
    tap_ok(!tcp_port_owner_parse("", 80, &uid), "an empty table");
}

static int bound_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    return getsockname(fd, (struct sockaddr *) &a, &len) == 0 ? ntohs(a.sin_port) : -1;
}

static void test_taken(void)
{
    int other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (other < 0 || bind(other, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(other, 1) < 0) {
        tap_ok(false, "a listener of the test's own: %s", strerror(errno));
        return;
    }
    int port = bound_port(other);
    orc_error_t err = NULL;
    int fd = tcp_listen_loopback((uint16_t) port, "--secure-port", &err);
    tap_ok(fd < 0 && err && err->status == EADDRINUSE, "a taken port is refused");
    const char *msg = err ? orc_error_message(err) : "";
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1:%d", port);
    tap_ok(strstr(msg, want) && strstr(msg, "another process of yours") &&
               strstr(msg, "--secure-port PORT") && strstr(msg, "--secure-port 0"),
           "the message names the port, its holder and the remedy: %s", msg);
    orc_error_release(&err);
    close(other);
    fd = tcp_listen_loopback((uint16_t) port, "--secure-port", &err);
    tap_ok(fd >= 0 && bound_port(fd) == port, "free again: bound");
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    tap_is_int(api_tls_default_port(1000), 17384, "uid 1000: port 17384");
    tap_is_int(api_tls_default_port(16384 + 7), 16391, "ports repeat after 16384 uids");
    tap_ok(api_tls_default_port(4294967294u) < 32768, "below the ephemeral ports, for any uid");
    test_parse();
    test_taken();
    return tap_done();
}
