// The GNU extensions of posix_spawn that ChildProcess needs, which Swift's Glibc module does not show
// (it is built without _GNU_SOURCE). Implemented in CChildProcess.c, compiled with it.
#ifndef C_CHILD_PROCESS_H
#define C_CHILD_PROCESS_H

#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `from` up.
int c_child_process_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// posix_spawn_file_actions_addchdir_np: the child changes to `path` before exec.
int c_child_process_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// pipe2(fds, O_CLOEXEC): a pipe no other child inherits by accident.
int c_child_process_pipe_cloexec(int fds[2]);

#endif
