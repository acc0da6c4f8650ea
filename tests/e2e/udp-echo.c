/* SPDX-License-Identifier: Apache-2.0 */
/* udp-echo PORT: answers every datagram with "echo:" and its content. Built static for the
 * test image (busybox has no UDP server). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: udp-echo PORT\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(argv[1]))};
    if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0) {
        perror("udp-echo");
        return 1;
    }
    printf("udp-echo listening on %s\n", argv[1]);
    fflush(stdout);
    for (;;) {
        char buf[2048];
        memcpy(buf, "echo:", 5);
        struct sockaddr_in from;
        socklen_t len = sizeof(from);
        ssize_t n = recvfrom(fd, buf + 5, sizeof(buf) - 5, 0, (struct sockaddr *) &from, &len);
        if (n >= 0)
            (void) sendto(fd, buf, (size_t) n + 5, 0, (struct sockaddr *) &from, len);
    }
}
