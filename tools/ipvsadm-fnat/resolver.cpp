#include "resolver.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>

namespace fnat {

std::optional<Address> SystemResolver::host_to_addr(std::string_view name) const
{
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	addrinfo *res = nullptr;
	std::string host(name);
	if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
		return std::nullopt;
	std::optional<Address> out;
	for (addrinfo *ai = res; ai && !out; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			out = Address::from_bytes(AF_INET, &reinterpret_cast<sockaddr_in *>(ai->ai_addr)->sin_addr);
		else if (ai->ai_family == AF_INET6)
			out = Address::from_bytes(AF_INET6,
						  &reinterpret_cast<sockaddr_in6 *>(ai->ai_addr)->sin6_addr);
	}
	freeaddrinfo(res);
	return out;
}

std::optional<std::uint16_t> SystemResolver::service_to_port(std::string_view name, Proto proto) const
{
	std::string s(name);
	const servent *se = getservbyname(s.c_str(), proto == Proto::UDP ? "udp" : "tcp");
	if (!se)
		return std::nullopt;
	return ntohs(static_cast<std::uint16_t>(se->s_port));
}

std::optional<std::string> SystemResolver::addr_to_host(const Address &addr) const
{
	sockaddr_storage ss{};
	socklen_t len;
	if (addr.af == AF_INET) {
		auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
		sin->sin_family = AF_INET;
		std::memcpy(&sin->sin_addr, addr.bytes.data(), 4);
		len = sizeof(*sin);
	} else if (addr.af == AF_INET6) {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
		sin6->sin6_family = AF_INET6;
		std::memcpy(&sin6->sin6_addr, addr.bytes.data(), 16);
		len = sizeof(*sin6);
	} else {
		return std::nullopt;
	}
	char host[NI_MAXHOST];
	if (getnameinfo(reinterpret_cast<sockaddr *>(&ss), len, host, sizeof(host), nullptr, 0,
			NI_NAMEREQD) != 0)
		return std::nullopt;
	return std::string(host);
}

std::optional<std::string> SystemResolver::port_to_service(std::uint16_t port, Proto proto) const
{
	const servent *se = getservbyport(htons(port), proto == Proto::UDP ? "udp" : "tcp");
	if (!se)
		return std::nullopt;
	return std::string(se->s_name);
}

}  // namespace fnat
