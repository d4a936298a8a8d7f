#include "health.hpp"

#include <algorithm>

#include "fnat/uapi.hpp"

namespace rhi {

bool dest_usable(const fnat::Dest &d)
{
	return d.weight > 0 && d.check_state == IPVS_FNAT_DEST_CHECK_OK;
}

std::map<fnat::Address, VipVerdict> decide(const std::vector<ServiceHealth> &services, Require require,
					   const std::vector<fnat::Address> &only)
{
	std::map<fnat::Address, VipVerdict> out;
	for (const fnat::Address &a : only)
		out[a];
	for (const ServiceHealth &s : services) {
		const fnat::Address &vip = s.key.addr;
		if (!only.empty() && std::find(only.begin(), only.end(), vip) == only.end())
			continue;
		VipVerdict &v = out[vip];
		v.services++;
		if (std::any_of(s.dests.begin(), s.dests.end(), dest_usable))
			v.serving++;
	}
	for (auto &[vip, v] : out)
		v.announce = v.services > 0 && (require == Require::Any ? v.serving > 0 : v.serving == v.services);
	return out;
}

std::string describe(const fnat::Address &vip, const VipVerdict &v)
{
	if (!v.services)
		return vip.str() + ": no service";
	return vip.str() + ": " + std::to_string(v.serving) + " of " + std::to_string(v.services) +
	       (v.services == 1 ? " service" : " services") + " can serve";
}

}  // namespace rhi
