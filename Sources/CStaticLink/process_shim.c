/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "process_shim.h"
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

int wif_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int wif_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int wif_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L); }
