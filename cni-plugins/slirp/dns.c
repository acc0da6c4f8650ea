/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DNS to a configured upstream. libslirp forwards 10.0.2.3:53 only to the first server of
 * the host's resolv.conf on port 53; a configured upstream (any address and port) is served
 * here instead: queries are taken off the tap before libslirp sees them, sent from a host
 * socket, and answers are written back to the pod as UDP frames from 10.0.2.3:53.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slirp-plugin.h"
#include "xalloc.h"

#define DNS_SLOTS 256
#define DNS_SLOT_TTL_S 10
#define DNS_PAYLOAD_MAX 4096

/* Who asked: to address the answer and give back the pod's query id. */
struct dns_query {
    time_t sent;
    uint8_t pod_mac[ETH_ALEN], our_mac[ETH_ALEN];
    struct in_addr pod_addr;
    uint16_t pod_port, pod_id;
    uint16_t id; /* ours, on the wire to the upstream */
};

struct dns_proxy {
    int fd;
    uint16_t next_id;
    struct in_addr dns_addr;
    struct dns_query slots[DNS_SLOTS];
};

int dns_proxy_new(const struct sockaddr_in *upstream, struct dns_proxy **ret, orc_error_t *err)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return orc_error_make(err, errno, "DNS socket");
    if (connect(fd, (const struct sockaddr *) upstream, sizeof(*upstream)) < 0) {
        int e = errno;
        close(fd);
        return orc_error_make(err, e, "DNS upstream");
    }
    struct dns_proxy *p = xcalloc(1, sizeof(*p));
    p->fd = fd;
    inet_pton(AF_INET, SLIRP_DNS, &p->dns_addr);
    *ret = p;
    return 0;
}

struct dns_proxy *dns_proxy_free(struct dns_proxy *p)
{
    if (p) {
        close(p->fd);
        free(p);
    }
    return NULL;
}

int dns_proxy_fd(const struct dns_proxy *p)
{
    return p->fd;
}

bool dns_proxy_intercept(struct dns_proxy *p, const uint8_t *frame, size_t len)
{
    struct ether_header eh;
    struct ip ip;
    struct udphdr udp;
    if (len < sizeof(eh) + sizeof(ip) + sizeof(udp))
        return false;
    memcpy(&eh, frame, sizeof(eh));
    memcpy(&ip, frame + sizeof(eh), sizeof(ip));
    size_t ihl = (size_t) ip.ip_hl * 4;
    if (ntohs(eh.ether_type) != ETHERTYPE_IP || ip.ip_v != 4 || ip.ip_p != IPPROTO_UDP ||
        ip.ip_dst.s_addr != p->dns_addr.s_addr || ihl < sizeof(ip) ||
        (ntohs(ip.ip_off) & (IP_MF | IP_OFFMASK)) || len < sizeof(eh) + ihl + sizeof(udp))
        return false;
    memcpy(&udp, frame + sizeof(eh) + ihl, sizeof(udp));
    if (ntohs(udp.uh_dport) != 53)
        return false;
    const uint8_t *payload = frame + sizeof(eh) + ihl + sizeof(udp);
    size_t plen = len - sizeof(eh) - ihl - sizeof(udp);
    size_t ulen = ntohs(udp.uh_ulen);
    if (ulen >= sizeof(udp) && ulen - sizeof(udp) < plen)
        plen = ulen - sizeof(udp);
    if (plen < 12 || plen > DNS_PAYLOAD_MAX)
        return true; /* not a DNS message: dropped, as a resolver would */
    uint16_t id = p->next_id++;
    struct dns_query *q = &p->slots[id % DNS_SLOTS];
    *q = (struct dns_query){
        .sent = time(NULL), .id = id, .pod_addr = ip.ip_src, .pod_port = udp.uh_sport};
    memcpy(q->pod_mac, eh.ether_shost, ETH_ALEN);
    memcpy(q->our_mac, eh.ether_dhost, ETH_ALEN);
    memcpy(&q->pod_id, payload, 2);
    uint8_t msg[DNS_PAYLOAD_MAX];
    memcpy(msg, payload, plen);
    uint16_t wire_id = htons(id);
    memcpy(msg, &wire_id, 2);
    (void) send(p->fd, msg, plen, 0);
    return true;
}

static uint16_t ip_checksum(const void *data, size_t len)
{
    const uint8_t *b = data;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t) (b[i] << 8 | b[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t) ~sum);
}

static void answer(struct dns_proxy *p, int tap_fd, const struct dns_query *q, uint8_t *msg,
                   size_t len)
{
    uint8_t frame[sizeof(struct ether_header) + sizeof(struct ip) + sizeof(struct udphdr) +
                  DNS_PAYLOAD_MAX];
    struct ether_header eh = {.ether_type = htons(ETHERTYPE_IP)};
    memcpy(eh.ether_dhost, q->pod_mac, ETH_ALEN);
    memcpy(eh.ether_shost, q->our_mac, ETH_ALEN);
    struct udphdr udp = {.uh_sport = htons(53),
                         .uh_dport = q->pod_port,
                         .uh_ulen = htons((uint16_t) (sizeof(udp) + len))}; /* no checksum */
    struct ip ip = {.ip_v = 4,
                    .ip_hl = 5,
                    .ip_ttl = 64,
                    .ip_p = IPPROTO_UDP,
                    .ip_len = htons((uint16_t) (sizeof(ip) + sizeof(udp) + len)),
                    .ip_src = p->dns_addr,
                    .ip_dst = q->pod_addr};
    ip.ip_sum = ip_checksum(&ip, sizeof(ip));
    memcpy(msg, &q->pod_id, 2);
    size_t off = 0;
    memcpy(frame + off, &eh, sizeof(eh));
    off += sizeof(eh);
    memcpy(frame + off, &ip, sizeof(ip));
    off += sizeof(ip);
    memcpy(frame + off, &udp, sizeof(udp));
    off += sizeof(udp);
    memcpy(frame + off, msg, len);
    (void) !write(tap_fd, frame, off + len);
}

void dns_proxy_on_readable(struct dns_proxy *p, int tap_fd)
{
    uint8_t msg[DNS_PAYLOAD_MAX];
    for (;;) {
        ssize_t n = recv(p->fd, msg, sizeof(msg), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 12)
            return; /* EAGAIN, an ICMP error from the upstream, or a runt */
        uint16_t id;
        memcpy(&id, msg, 2);
        id = ntohs(id);
        struct dns_query *q = &p->slots[id % DNS_SLOTS];
        if (q->sent == 0 || q->id != id || time(NULL) - q->sent > DNS_SLOT_TTL_S)
            continue; /* late or unknown answer */
        answer(p, tap_fd, q, msg, (size_t) n);
        q->sent = 0;
    }
}
