/* SPDX-License-Identifier: Apache-2.0 */
/* Process calls Swift cannot reach through Glibc: glibc declares them only under _GNU_SOURCE (pipe2,
 * posix_spawn_file_actions_addclosefrom_np) or as variadic (prctl). Used by Core's ClientProcess. */
#ifndef WIF_PROCESS_SHIM_H
#define WIF_PROCESS_SHIM_H
#include <spawn.h>

/* posix_spawn_file_actions_addclosefrom_np(3) (glibc 2.34): the child closes every descriptor >= from. */
int wif_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
/* pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start (no window for another thread's spawn). */
int wif_pipe_cloexec(int fds[2]);
/* prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are reparented to this process, not to init. */
int wif_set_child_subreaper(void);
#endif
