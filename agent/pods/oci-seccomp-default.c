/* SPDX-License-Identifier: Apache-2.0 */
/* orc's RuntimeDefault seccomp profile: an allow list in the manner of containerd's and moby's
 * default profiles, with the syscalls that need a capability allowed only with it. */
#include "pods/oci-seccomp.h"

#include <errno.h>
#include <stdbool.h>

#include "xalloc.h"

/* Allowed for every container. */
static const char *const allowed[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget",
    "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
    "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
    "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
    "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
    "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
    "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
    "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
    "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
    "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
    "futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
    "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
    "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
    "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
    "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
    "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
    "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
    "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill",
    "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
    "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr",
    "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier",
    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
    "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
    "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
    "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
    "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
    "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
    "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
    "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
    "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
    "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
    "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
    "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
    "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
    "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
    "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
    "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
    "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
    "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
    "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
    "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
    "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
    "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
    "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
    "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
    "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
    "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
    "wait4", "waitid", "waitpid", "write", "writev",
    /* tracing one's own children: safe since Linux 4.8's seccomp/ptrace ordering */
    "ptrace", "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
    /* architecture-specific ones (ignored where the architecture has no such call) */
    "arch_prctl", "modify_ldt", "arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
    "breakpoint", "cacheflush", "set_tls", NULL};

/* Allowed with a capability (linux/capability.h's numbers). */
static const char *const with_sys_admin[] = {"bpf",           "clone",           "clone3",
                                             "fanotify_init", "fsconfig",        "fsmount",
                                             "fsopen",        "fspick",          "lookup_dcookie",
                                             "mount",         "mount_setattr",   "move_mount",
                                             "open_tree",     "perf_event_open", "quotactl",
                                             "quotactl_fd",   "setdomainname",   "sethostname",
                                             "setns",         "syslog",          "umount",
                                             "umount2",       "unshare",         NULL};
static const char *const with_sys_boot[] = {"reboot", NULL};
static const char *const with_sys_chroot[] = {"chroot", NULL};
static const char *const with_sys_module[] = {"delete_module", "init_module", "finit_module", NULL};
static const char *const with_sys_pacct[] = {"acct", NULL};
static const char *const with_sys_rawio[] = {"iopl", "ioperm", NULL};
static const char *const with_sys_time[] = {"settimeofday", "stime", "clock_settime",
                                            "clock_settime64", NULL};
static const char *const with_sys_tty_config[] = {"vhangup", NULL};
static const char *const with_sys_nice[] = {"get_mempolicy", "mbind", "set_mempolicy",
                                            "set_mempolicy_home_node", NULL};
static const char *const with_syslog[] = {"syslog", NULL};
static const char *const with_bpf[] = {"bpf", NULL};
static const char *const with_perfmon[] = {"perf_event_open", NULL};

static const struct {
    int cap;
    const char *const *names;
} cap_rules[] = {
    {21, with_sys_admin}, {22, with_sys_boot},  {18, with_sys_chroot}, {16, with_sys_module},
    {20, with_sys_pacct}, {17, with_sys_rawio}, {25, with_sys_time},   {26, with_sys_tty_config},
    {23, with_sys_nice},  {34, with_syslog},    {39, with_bpf},        {38, with_perfmon},
};

#define CAP_SYS_ADMIN_BIT (UINT64_C(1) << 21)
/* CLONE_NEWNS | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWCGROUP */
#define CLONE_NAMESPACE_FLAGS 0x7E020000

static json_t *names_json(const char *const *names)
{
    json_t *a = json_array();
    for (size_t i = 0; names[i]; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}

static json_t *rule(const char *const *names, const char *action)
{
    return json_pack("{s:o,s:s}", "names", names_json(names), "action", action);
}

/* personality(2) only with the personas moby's profile allows (each a rule: args are ANDed) */
static void add_personality(json_t *syscalls)
{
    static const char *const personality[] = {"personality", NULL};
    static const json_int_t personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
    for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++) {
        json_t *r = rule(personality, "SCMP_ACT_ALLOW");
        json_object_set_new(
            r, "args",
            json_pack("[{s:i,s:I,s:s}]", "index", 0, "value", personas[i], "op", "SCMP_CMP_EQ"));
        json_array_append_new(syscalls, r);
    }
}

static void add_without_sys_admin(json_t *syscalls)
{
    static const char *const clone[] = {"clone", NULL};
    static const char *const clone3[] = {"clone3", NULL};
    json_t *r = rule(clone, "SCMP_ACT_ALLOW"); /* threads and processes, no new namespaces */
    json_object_set_new(r, "args",
                        json_pack("[{s:i,s:I,s:I,s:s}]", "index", 0, "value",
                                  (json_int_t) CLONE_NAMESPACE_FLAGS, "valueTwo", (json_int_t) 0,
                                  "op", "SCMP_CMP_MASKED_EQ"));
    json_array_append_new(syscalls, r);
    r = rule(clone3, "SCMP_ACT_ERRNO"); /* its flags are out of reach: libcs fall back */
    json_object_set_new(r, "errnoRet", json_integer(ENOSYS));
    json_array_append_new(syscalls, r);
}

/* socket(2), but not AF_VSOCK (40): the host's hypervisor sockets */
static void add_socket(json_t *syscalls)
{
    static const char *const socket[] = {"socket", NULL};
    json_t *r = rule(socket, "SCMP_ACT_ALLOW");
    json_object_set_new(r, "args",
                        json_pack("[{s:i,s:i,s:s}]", "index", 0, "value", 40, "op", "SCMP_CMP_NE"));
    json_array_append_new(syscalls, r);
}

json_t *oci_seccomp_runtime_default(uint64_t caps)
{
    json_t *syscalls = json_array();
    json_array_append_new(syscalls, rule(allowed, "SCMP_ACT_ALLOW"));
    add_personality(syscalls);
    add_socket(syscalls);
    if (!(caps & CAP_SYS_ADMIN_BIT))
        add_without_sys_admin(syscalls);
    for (size_t i = 0; i < sizeof(cap_rules) / sizeof(cap_rules[0]); i++)
        if (caps & (UINT64_C(1) << cap_rules[i].cap))
            json_array_append_new(syscalls, rule(cap_rules[i].names, "SCMP_ACT_ALLOW"));
    json_t *arches = json_array();
    for (const char *const *a = oci_seccomp_arches(); *a; a++)
        json_array_append_new(arches, json_string(*a));
    return json_pack("{s:s,s:i,s:o,s:o}", "defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet",
                     EPERM, "architectures", arches, "syscalls", syscalls);
}
