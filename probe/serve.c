// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "serve.h"

/* Splits @line (its newline already cut) at tabs into @argv, which has
 * room for @max entries plus the terminating NULL. Returns the count. */
static int split_fields(char *line, char **argv, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		if (n == max)
			return -1;
		argv[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	argv[n] = NULL;
	return n;
}

static int redirect(const char *path, int fd)
{
	int f = fd == STDIN_FILENO ? open(path, O_RDONLY | O_CLOEXEC)
				   : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (f < 0)
		return -errno;
	if (dup2(f, fd) < 0) {
		int e = errno;

		close(f);
		return -e;
	}
	close(f);
	return 0;
}

/* In the child: outputs to their files, then the probe as a fresh
 * process would run it. Never returns. */
static void run_child(int argc, char **argv, serve_fn run)
{
	int rc;

	/* the server's pipes are not the probe's business: stdin reads
	 * nothing, stdout and stderr go to the request's files (the FILEs
	 * stay: nothing is buffered in them at a fork) */
	rc = redirect("/dev/null", STDIN_FILENO);
	if (!rc && (rc = redirect(argv[1], STDERR_FILENO)))
		log_err("serve: %s: %s", argv[1], strerror(-rc));
	if (!rc && (rc = redirect(argv[0], STDOUT_FILENO)))
		log_err("serve: %s: %s", argv[0], strerror(-rc));
	if (rc)
		_exit(EXIT_RUNTIME);
	/* argv[1] stands in for the program name: getopt starts after it */
	argv[1] = "pmemprobe";
	optind = 0; /* glibc: 0 reinitialises getopt entirely */
	exit(run(argc - 1, argv + 1));
}

static int answer(FILE *out, int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	fprintf(out, "%d\n", code);
	return fflush(out) ? -errno : 0;
}

int serve(FILE *in, FILE *out, serve_fn run)
{
	enum { MAX_FIELDS = 64 };
	char *line = NULL, *argv[MAX_FIELDS + 1];
	size_t cap = 0;
	ssize_t len;
	int code = EXIT_PASS;

	fprintf(out, "%s\n", SERVE_READY);
	if (fflush(out))
		return EXIT_RUNTIME;
	while ((len = getline(&line, &cap, in)) > 0) {
		int argc, status;
		pid_t pid;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		argc = split_fields(line, argv, MAX_FIELDS);
		if (argc < 2 || !*argv[0] || !*argv[1]) {
			log_err("serve: a request is OUT<TAB>ERR<TAB>ARGS..., got '%s'", line);
			status = EXIT_USAGE << 8;
		} else {
			fflush(NULL);
			pid = fork();
			if (pid < 0) {
				log_err("serve: fork: %s", strerror(errno));
				status = EXIT_RUNTIME << 8;
			} else if (pid == 0) {
				run_child(argc, argv, run);
			} else {
				while (waitpid(pid, &status, 0) < 0) {
					if (errno != EINTR) {
						log_err("serve: waitpid: %s", strerror(errno));
						status = EXIT_RUNTIME << 8;
						break;
					}
				}
			}
		}
		if (answer(out, status)) {
			code = EXIT_RUNTIME;
			break;
		}
	}
	free(line);
	return code;
}
