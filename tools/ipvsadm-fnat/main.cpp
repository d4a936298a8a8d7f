// ipvsadm-fnat: the FULLNAT control tool. Everything but the wiring lives in
// ipvsadm_fnat_core (app.cpp and what it uses) and fnat_tools (tools/lib/).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "fnat/netlink_kernel.hpp"

#include "app.hpp"

int main(int argc, char **argv)
{
	std::unique_ptr<fnat::NetlinkKernel> kernel;
	const fnat::SystemResolver resolver;
	fnat::Env env{[&kernel]() -> fnat::Kernel & {
			      if (!kernel)
				      kernel = std::make_unique<fnat::NetlinkKernel>();
			      return *kernel;
		      },
		      resolver, std::cin, std::cout, std::cerr};
	const int rc = fnat::run(std::vector<std::string>(argv + 1, argv + argc), env);
	std::cout.flush();
	return rc != 0 ? rc : (std::cout ? 0 : fnat::kExitFailure);
}
