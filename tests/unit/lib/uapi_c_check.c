/* The uapi header compiles as C99 with only what it includes itself, and its
 * constants are what C code sees too. Linked into the unit tests (uapi_test.cpp
 * calls uapi_c_check_values()). */
#include "uapi/ipvs_fnat.h"

unsigned int uapi_c_check_values(void);

unsigned int uapi_c_check_values(void)
{
	/* C has no static_assert before C11; a negative array size fails the build. */
	typedef char cmd_max_is_20[(IPVS_FNAT_CMD_MAX == 20) ? 1 : -1];
	typedef char attr_max_is_7[(IPVS_FNAT_ATTR_MAX == 7) ? 1 : -1];
	/* The flag mask is an expression: it must stay usable in C constant expressions. */
	typedef char svc_f_all_is_7[(IPVS_FNAT_SVC_F_ALL == 7) ? 1 : -1];
	cmd_max_is_20 *a = 0;
	attr_max_is_7 *b = 0;
	svc_f_all_is_7 *c = 0;
	(void)a;
	(void)b;
	(void)c;
	return IPVS_FNAT_CMD_MAX + IPVS_FNAT_ATTR_MAX + IPVS_FNAT_SVC_ATTR_MAX + IPVS_FNAT_DEST_ATTR_MAX +
	       IPVS_FNAT_LADDR_ATTR_MAX + IPVS_FNAT_STATS_ATTR_MAX + IPVS_FNAT_CFG_ATTR_MAX +
	       IPVS_FNAT_INFO_ATTR_MAX + IPVS_FNAT_CONN_ATTR_MAX;
}
