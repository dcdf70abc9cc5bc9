/* SPDX-License-Identifier: Apache-2.0 */
#ifndef WIF_CARGON2_SHIM_H
#define WIF_CARGON2_SHIM_H
#include <argon2.h>
#endif
