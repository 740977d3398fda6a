/*
 * tool_http.c: a raw HTTP client for tests: sends exactly the bytes it
 * reads on stdin and prints what comes back, so tests can send malformed,
 * pipelined, slow or abandoned requests that curl will not.
 *
 *   tool_http [--slow MS] [--abort-after N] [--read-max N] [--timeout MS]
 *             HOST PORT < request-bytes
 *
 * --slow MS        send one byte every MS milliseconds
 * --abort-after N  close after sending N bytes, without reading
 * --read-max N     close after reading N bytes of the answer
 * --timeout MS     stop reading after MS milliseconds without a byte
 *                  (default 5000)
 *
 * Exits 0 when the server closed the connection (or a limit above ended
 * it), 3 when --timeout ended it with the connection still open, 4 when
 * the server reset it (what came before is written all the same), 2 on
 * usage or a failed connect. tests/fixtures.sh tells the three ends apart.
 */
#include "common/common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* macOS has no MSG_NOSIGNAL: SIGPIPE is ignored there instead (main) */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long slow = 0, abort_after = -1, read_max = -1, timeout = 5000, port;
	struct sockaddr_in sa;
	struct buf req;
	char chunk[4096];
	size_t n, sent = 0, got = 0;
	int fd, i = 1, end = 0;
	signal(SIGPIPE, SIG_IGN);
	while (i + 1 < argc && argv[i][0] == '-') {
		long *dst = !strcmp(argv[i], "--slow")		? &slow
			    : !strcmp(argv[i], "--abort-after") ? &abort_after
			    : !strcmp(argv[i], "--read-max")	? &read_max
			    : !strcmp(argv[i], "--timeout")	? &timeout
								: NULL;
		if (!dst || parse_long(argv[i + 1], 0, 1L << 40, dst))
			goto usage;
		i += 2;
	}
	if (i + 2 != argc || parse_long(argv[i + 1], 1, 65535, &port))
		goto usage;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, argv[i], &sa.sin_addr) != 1)
		goto usage;
	buf_init(&req, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&req, chunk, n);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("tool_http: connect");
		buf_release(&req);
		return 2;
	}
	while (sent < req.len) {
		size_t step = slow ? 1 : req.len - sent;
		ssize_t w;
		if (abort_after >= 0 && sent >= (size_t)abort_after)
			break;
		if (abort_after >= 0 && sent + step > (size_t)abort_after)
			step = (size_t)abort_after - sent;
		w = send(fd, req.ptr + sent, step, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		sent += (size_t)w;
		if (slow)
			nap(slow);
	}
	buf_release(&req);
	if (abort_after >= 0) {
		close(fd);
		return 0;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;
		if (poll(&p, 1, (int)timeout) <= 0) {
			end = 3;
			break;
		}
		r = recv(fd, chunk, sizeof(chunk), 0);
		if (r < 0 && errno == ECONNRESET)
			end = 4;
		if (r <= 0)
			break;
		fwrite(chunk, 1, (size_t)r, stdout);
		got += (size_t)r;
		if (read_max >= 0 && got >= (size_t)read_max)
			break;
	}
	close(fd);
	return end;
usage:
	fprintf(stderr, "usage: tool_http [--slow MS] [--abort-after N] "
			"[--read-max N] [--timeout MS] HOST PORT\n");
	return 2;
}
