#pragma once
// Builders for the mirror's tests: IPVS services as keepalived makes them, IPVS_FNAT
// services as the kernel reports them, and plans as the log lines describe() writes.
#include <linux/ip_vs.h>

#include <string>
#include <vector>

#include "fnat/uapi.hpp"

#include "reconcile.hpp"

namespace mirror::test {

inline fnat::Address A(const char *s) { return *fnat::Address::parse(s); }

inline IpvsDest rs(const char *addr, std::uint16_t port, std::uint32_t weight,
		   std::uint32_t fwd = IP_VS_CONN_F_MASQ, std::uint32_t u = 0, std::uint32_t l = 0)
{
	return IpvsDest{A(addr), port, fwd, weight, u, l};
}

// A keepalived virtual_server: the kernel reports HASHED on every service.
inline IpvsService vs(std::uint16_t proto, const char *addr, std::uint16_t port, const char *sched,
		      std::vector<IpvsDest> dests = {})
{
	IpvsService s;
	s.addr = A(addr);
	s.af = s.addr.af;
	s.protocol = proto;
	s.port = port;
	s.sched = sched;
	s.flags = IP_VS_SVC_F_HASHED;
	s.netmask = fnat::full_prefix(s.af);
	s.dests = std::move(dests);
	return s;
}

inline IpvsService persistent(IpvsService s, std::uint32_t timeout, std::uint8_t netmask)
{
	s.flags |= IP_VS_SVC_F_PERSISTENT;
	s.timeout = timeout;
	s.netmask = netmask;
	return s;
}

inline fnat::Dest fd(const char *addr, std::uint16_t port, std::uint32_t weight, std::uint32_t u = 0,
		     std::uint32_t l = 0)
{
	fnat::Dest d;
	d.addr = A(addr);
	d.port = port;
	d.weight = weight;
	d.u_thresh = u;
	d.l_thresh = l;
	return d;
}

inline FnatServiceState fs(fnat::Proto proto, const char *addr, std::uint16_t port, const char *sched,
			   std::uint32_t owner, std::vector<fnat::Dest> dests = {}, std::uint32_t flags = 0,
			   std::uint32_t timeout = 300, std::uint8_t netmask = 0)
{
	FnatServiceState st;
	st.svc.key = fnat::ServiceKey{proto, A(addr), port};
	st.svc.sched = sched;
	st.svc.owner = owner;
	st.svc.flags = flags;
	st.svc.timeout = timeout;
	st.svc.netmask = netmask ? netmask : fnat::full_prefix(st.svc.key.af());
	st.svc.num_dests = static_cast<std::uint32_t>(dests.size());
	st.dests = std::move(dests);
	return st;
}

inline std::vector<std::string> lines(const Plan &p)
{
	std::vector<std::string> out;
	for (const Action &a : p.actions)
		out.push_back(describe(a));
	return out;
}

inline std::vector<std::string> note_lines(const Plan &p)
{
	std::vector<std::string> out;
	for (const Note &n : p.notes)
		out.push_back(n.service + ": " + n.text);
	return out;
}

}  // namespace mirror::test
