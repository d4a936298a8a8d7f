#include <cstdio>
#include <cstring>

#include "version.hpp"

int main(int argc, char **argv)
{
	if (argc == 2 && (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "-v"))) {
		std::printf("ipvsadm-fnat v%.*s (FULLNAT)\n", static_cast<int>(fnat::tool_version().size()),
			    fnat::tool_version().data());
		return 0;
	}
	std::fprintf(stderr, "ipvsadm-fnat: the control plane is not implemented yet\n");
	return 2;
}
