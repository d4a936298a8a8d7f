#include "fnat_state.hpp"

namespace mirror {

FnatSnapshot read_fnat(fnat::Kernel &kernel)
{
	FnatSnapshot out;
	for (fnat::Service &s : kernel.services()) {
		FnatServiceState st;
		st.dests = kernel.dests(s.key);
		st.svc = std::move(s);
		out.push_back(std::move(st));
	}
	return out;
}

}  // namespace mirror
