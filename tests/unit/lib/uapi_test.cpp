// The uapi header, included first and alone: it must compile in C++ with nothing but
// the <linux/types.h> it includes itself. The static_asserts pin the ABI: every
// enumerator's value (appending is the only legal change), the _MAX values and the
// constants the tool relies on.
#include "uapi/ipvs_fnat.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cstring>
#include <type_traits>

#include <gtest/gtest.h>

extern "C" unsigned int uapi_c_check_values(void);

// --- constants ------------------------------------------------------------------------
static_assert(sizeof(IPVS_FNAT_GENL_NAME) <= GENL_NAMSIZ, "family name fits GENL_NAMSIZ");
static_assert(IPVS_FNAT_GENL_VERSION == 1);
static_assert(IPVS_FNAT_VERSION_CODE(1, 2, 3) == 0x010203);
static_assert(IPVS_FNAT_VERSION_CODE(0, 1, 0) == 0x000100);
static_assert(IPVS_FNAT_SCHED_NAME_MAX == 16 && IPVS_FNAT_STATE_NAME_MAX == 16);
static_assert(sizeof("wlc") <= IPVS_FNAT_SCHED_NAME_MAX && sizeof("ESTABLISHED") <= IPVS_FNAT_STATE_NAME_MAX);
static_assert(IPVS_FNAT_SVC_F_PERSISTENT == 0x0001 && IPVS_FNAT_SVC_F_SYNPROXY == 0x0002);
static_assert(IPVS_FNAT_SVC_F_ALL == (IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_SYNPROXY | IPVS_FNAT_SVC_F_DEST_CHECK),
	      "every service flag is in the mask the kernel's policy accepts");
static_assert(IPVS_FNAT_CONN_F_TOA_DONE == 0x0001 && IPVS_FNAT_CONN_F_PERSISTENT == 0x0002);
static_assert(IPVS_FNAT_TIMEOUT_MAX == 31536000 && IPVS_FNAT_TIMEOUT_MAX == 365 * 24 * 3600);
static_assert(IPVS_FNAT_TIMEOUT_MAX <= 0xffffffffu, "timeouts are __u32");
static_assert(std::is_same_v<__u16, unsigned short> && std::is_same_v<__u64, unsigned long long>);

// --- commands ---------------------------------------------------------------------------
static_assert(IPVS_FNAT_CMD_UNSPEC == 0);
static_assert(IPVS_FNAT_CMD_NEW_SERVICE == 1 && IPVS_FNAT_CMD_SET_SERVICE == 2);
static_assert(IPVS_FNAT_CMD_DEL_SERVICE == 3 && IPVS_FNAT_CMD_GET_SERVICE == 4);
static_assert(IPVS_FNAT_CMD_NEW_DEST == 5 && IPVS_FNAT_CMD_SET_DEST == 6);
static_assert(IPVS_FNAT_CMD_DEL_DEST == 7 && IPVS_FNAT_CMD_GET_DEST == 8);
static_assert(IPVS_FNAT_CMD_NEW_LADDR == 9 && IPVS_FNAT_CMD_DEL_LADDR == 10 && IPVS_FNAT_CMD_GET_LADDR == 11);
static_assert(IPVS_FNAT_CMD_SET_CONFIG == 12 && IPVS_FNAT_CMD_GET_CONFIG == 13);
static_assert(IPVS_FNAT_CMD_GET_INFO == 14 && IPVS_FNAT_CMD_ZERO == 15 && IPVS_FNAT_CMD_FLUSH == 16);
static_assert(IPVS_FNAT_CMD_GET_CONN == 17);
static_assert(IPVS_FNAT_CMD_NEW_DAEMON == 18 && IPVS_FNAT_CMD_DEL_DAEMON == 19 && IPVS_FNAT_CMD_GET_DAEMON == 20);
static_assert(IPVS_FNAT_CMD_MAX == 20 && __IPVS_FNAT_CMD_MAX == IPVS_FNAT_CMD_MAX + 1);
static_assert(IPVS_FNAT_CMD_MAX <= 0xff, "genl commands are a u8");

// --- top-level attributes ---------------------------------------------------------------
static_assert(IPVS_FNAT_ATTR_UNSPEC == 0 && IPVS_FNAT_ATTR_SERVICE == 1 && IPVS_FNAT_ATTR_DEST == 2);
static_assert(IPVS_FNAT_ATTR_LADDR == 3 && IPVS_FNAT_ATTR_CONFIG == 4 && IPVS_FNAT_ATTR_INFO == 5);
static_assert(IPVS_FNAT_ATTR_CONN == 6 && IPVS_FNAT_ATTR_DAEMON == 7 && IPVS_FNAT_ATTR_MAX == 7);

// --- sync daemon ------------------------------------------------------------------------
static_assert(IPVS_FNAT_DAEMON_ATTR_STATS == 13 && IPVS_FNAT_DAEMON_ATTR_PAD == 14);
static_assert(IPVS_FNAT_DAEMON_ATTR_SYNCED == 15 && IPVS_FNAT_DAEMON_ATTR_MASTERS == 16 &&
	      IPVS_FNAT_DAEMON_ATTR_MASTER == 17 && IPVS_FNAT_DAEMON_ATTR_MAX == 17);
static_assert(IPVS_FNAT_MASTER_ATTR_SYNCID == 1 && IPVS_FNAT_MASTER_ATTR_ADDR == 2 &&
	      IPVS_FNAT_MASTER_ATTR_EPOCH == 3 && IPVS_FNAT_MASTER_ATTR_SYNCED == 4);
static_assert(IPVS_FNAT_MASTER_ATTR_HEARD_MS == 5 && IPVS_FNAT_MASTER_ATTR_PAD == 6 &&
	      IPVS_FNAT_MASTER_ATTR_MAX == 6);

// --- service ----------------------------------------------------------------------------
static_assert(IPVS_FNAT_SVC_ATTR_UNSPEC == 0 && IPVS_FNAT_SVC_ATTR_AF == 1 && IPVS_FNAT_SVC_ATTR_PROTOCOL == 2);
static_assert(IPVS_FNAT_SVC_ATTR_ADDR == 3 && IPVS_FNAT_SVC_ATTR_PORT == 4 && IPVS_FNAT_SVC_ATTR_SCHED_NAME == 5);
static_assert(IPVS_FNAT_SVC_ATTR_FLAGS == 6 && IPVS_FNAT_SVC_ATTR_TIMEOUT == 7 && IPVS_FNAT_SVC_ATTR_NETMASK == 8);
static_assert(IPVS_FNAT_SVC_ATTR_NUM_DESTS == 9 && IPVS_FNAT_SVC_ATTR_NUM_LADDRS == 10);
static_assert(IPVS_FNAT_SVC_ATTR_STATS == 11 && IPVS_FNAT_SVC_ATTR_PAD == 12);
static_assert(IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS == 13 && IPVS_FNAT_SVC_ATTR_OWNER == 14);
static_assert(IPVS_FNAT_SVC_ATTR_MAX == 14);
static_assert(IPVS_FNAT_SVC_F_DEST_CHECK == 0x0004);
static_assert(IPVS_FNAT_OWNER_NONE == 0 && IPVS_FNAT_OWNER_MIRROR == 1 && IPVS_FNAT_OWNER_MAX == 0xffff);

// --- destination ------------------------------------------------------------------------
static_assert(IPVS_FNAT_DEST_ATTR_UNSPEC == 0 && IPVS_FNAT_DEST_ATTR_ADDR == 1 && IPVS_FNAT_DEST_ATTR_PORT == 2);
static_assert(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY == 3 && IPVS_FNAT_DEST_ATTR_WEIGHT == 4);
static_assert(IPVS_FNAT_DEST_ATTR_U_THRESH == 5 && IPVS_FNAT_DEST_ATTR_L_THRESH == 6);
static_assert(IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS == 7 && IPVS_FNAT_DEST_ATTR_INACT_CONNS == 8);
static_assert(IPVS_FNAT_DEST_ATTR_PERSIST_CONNS == 9 && IPVS_FNAT_DEST_ATTR_STATS == 10);
static_assert(IPVS_FNAT_DEST_ATTR_PAD == 11 && IPVS_FNAT_DEST_ATTR_CHECK_STATE == 12);
static_assert(IPVS_FNAT_DEST_ATTR_CHECK_FAILS == 13 && IPVS_FNAT_DEST_ATTR_INHIBIT_LEFT == 14);
static_assert(IPVS_FNAT_DEST_ATTR_INHIBITS == 15 && IPVS_FNAT_DEST_ATTR_MAX == 15);
static_assert(IPVS_FNAT_DEST_CHECK_OK == 0 && IPVS_FNAT_DEST_CHECK_INHIBITED == 1 && IPVS_FNAT_DEST_CHECK_TRIAL == 2);

// --- local address ----------------------------------------------------------------------
static_assert(IPVS_FNAT_LADDR_ATTR_UNSPEC == 0 && IPVS_FNAT_LADDR_ATTR_AF == 1 && IPVS_FNAT_LADDR_ATTR_ADDR == 2);
static_assert(IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS == 3 && IPVS_FNAT_LADDR_ATTR_CONNS == 4);
static_assert(IPVS_FNAT_LADDR_ATTR_PAD == 5 && IPVS_FNAT_LADDR_ATTR_FLAGS == 6 && IPVS_FNAT_LADDR_ATTR_MAX == 6);
static_assert(IPVS_FNAT_LADDR_F_PEER == 1 && IPVS_FNAT_LADDR_F_ALL == 1);

// --- sync counters ----------------------------------------------------------------------
static_assert(IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS == 1 && IPVS_FNAT_SYNC_STATS_ATTR_DELETED == 21);
static_assert(IPVS_FNAT_SYNC_STATS_ATTR_PAD == 22 && IPVS_FNAT_SYNC_STATS_ATTR_MOVED == 23 &&
	      IPVS_FNAT_SYNC_STATS_ATTR_RESYNC_DONE == 24 && IPVS_FNAT_SYNC_STATS_ATTR_MAX == 24);

// --- stats ------------------------------------------------------------------------------
static_assert(IPVS_FNAT_STATS_ATTR_UNSPEC == 0 && IPVS_FNAT_STATS_ATTR_CONNS == 1);
static_assert(IPVS_FNAT_STATS_ATTR_INPKTS == 2 && IPVS_FNAT_STATS_ATTR_OUTPKTS == 3);
static_assert(IPVS_FNAT_STATS_ATTR_INBYTES == 4 && IPVS_FNAT_STATS_ATTR_OUTBYTES == 5);
static_assert(IPVS_FNAT_STATS_ATTR_CPS == 6 && IPVS_FNAT_STATS_ATTR_INPPS == 7 && IPVS_FNAT_STATS_ATTR_OUTPPS == 8);
static_assert(IPVS_FNAT_STATS_ATTR_INBPS == 9 && IPVS_FNAT_STATS_ATTR_OUTBPS == 10);
static_assert(IPVS_FNAT_STATS_ATTR_PAD == 11 && IPVS_FNAT_STATS_ATTR_MAX == 11);

// --- SYN proxy counters -----------------------------------------------------------------
static_assert(IPVS_FNAT_SP_STATS_ATTR_UNSPEC == 0 && IPVS_FNAT_SP_STATS_ATTR_SYN == 1);
static_assert(IPVS_FNAT_SP_STATS_ATTR_ACK_OK == 2 && IPVS_FNAT_SP_STATS_ATTR_ACK_BAD == 3);
static_assert(IPVS_FNAT_SP_STATS_ATTR_RS_FAIL == 4 && IPVS_FNAT_SP_STATS_ATTR_DATA_DROPPED == 5);
static_assert(IPVS_FNAT_SP_STATS_ATTR_PAD == 6 && IPVS_FNAT_SP_STATS_ATTR_MAX == 6);

// --- config -----------------------------------------------------------------------------
static_assert(IPVS_FNAT_CFG_ATTR_UNSPEC == 0 && IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP == 1);
static_assert(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN == 2 && IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP == 3);
static_assert(IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN == 4 && IPVS_FNAT_CFG_ATTR_CONN_MAX == 5);
static_assert(IPVS_FNAT_CFG_ATTR_PORT_MIN == 6 && IPVS_FNAT_CFG_ATTR_PORT_MAX == 7);
static_assert(IPVS_FNAT_CFG_ATTR_TOA == 8 && IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS == 9);
static_assert(IPVS_FNAT_CFG_ATTR_EXPIRE_RST == 10 && IPVS_FNAT_CFG_ATTR_DC_FAILS == 11);
static_assert(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN == 12 && IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX == 13);
static_assert(IPVS_FNAT_CFG_ATTR_MAX == 13);

// --- info -------------------------------------------------------------------------------
static_assert(IPVS_FNAT_INFO_ATTR_UNSPEC == 0 && IPVS_FNAT_INFO_ATTR_VERSION == 1);
static_assert(IPVS_FNAT_INFO_ATTR_CONN_TAB_SIZE == 2 && IPVS_FNAT_INFO_ATTR_CONN_COUNT == 3);
static_assert(IPVS_FNAT_INFO_ATTR_SERVICE_COUNT == 4 && IPVS_FNAT_INFO_ATTR_MAX == 4);

// --- connection -------------------------------------------------------------------------
static_assert(IPVS_FNAT_CONN_ATTR_UNSPEC == 0 && IPVS_FNAT_CONN_ATTR_PROTOCOL == 1 && IPVS_FNAT_CONN_ATTR_AF == 2);
static_assert(IPVS_FNAT_CONN_ATTR_CADDR == 3 && IPVS_FNAT_CONN_ATTR_CPORT == 4);
static_assert(IPVS_FNAT_CONN_ATTR_VADDR == 5 && IPVS_FNAT_CONN_ATTR_VPORT == 6);
static_assert(IPVS_FNAT_CONN_ATTR_LADDR == 7 && IPVS_FNAT_CONN_ATTR_LPORT == 8);
static_assert(IPVS_FNAT_CONN_ATTR_DADDR == 9 && IPVS_FNAT_CONN_ATTR_DPORT == 10);
static_assert(IPVS_FNAT_CONN_ATTR_STATE == 11 && IPVS_FNAT_CONN_ATTR_STATE_NAME == 12);
static_assert(IPVS_FNAT_CONN_ATTR_EXPIRES == 13 && IPVS_FNAT_CONN_ATTR_FLAGS == 14);
static_assert(IPVS_FNAT_CONN_ATTR_MAX == 14);

// Every attribute number fits the 14 bits netlink leaves for the type.
static_assert(IPVS_FNAT_SVC_ATTR_MAX < NLA_F_NET_BYTEORDER && IPVS_FNAT_CONN_ATTR_MAX < NLA_F_NET_BYTEORDER);

TEST(Uapi, TheHeaderCompilesAsCWithTheSameValues)
{
	EXPECT_EQ(uapi_c_check_values(),
		  static_cast<unsigned>(IPVS_FNAT_CMD_MAX + IPVS_FNAT_ATTR_MAX + IPVS_FNAT_SVC_ATTR_MAX +
					IPVS_FNAT_DEST_ATTR_MAX + IPVS_FNAT_LADDR_ATTR_MAX + IPVS_FNAT_STATS_ATTR_MAX +
					IPVS_FNAT_CFG_ATTR_MAX + IPVS_FNAT_INFO_ATTR_MAX + IPVS_FNAT_CONN_ATTR_MAX));
	EXPECT_EQ(uapi_c_check_values(), 20u + 7 + 14 + 15 + 6 + 11 + 13 + 4 + 14);
}

TEST(Uapi, FamilyName)
{
	EXPECT_STREQ(IPVS_FNAT_GENL_NAME, "IPVS_FNAT");
	EXPECT_LT(std::strlen(IPVS_FNAT_GENL_NAME), static_cast<std::size_t>(GENL_NAMSIZ));
}
