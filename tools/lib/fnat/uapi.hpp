#pragma once
// The IPVS_FNAT ABI, included unchanged from kernel/include/uapi/ipvs_fnat.h: the one
// place where the tools' commands, attributes and constants come from.
#include <linux/types.h>

#include "uapi/ipvs_fnat.h"
#include "uapi/ipvs_fnat_sync.h"
