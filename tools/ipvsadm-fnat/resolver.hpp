#pragma once
// Names for addresses and ports, as ipvsadm accepts and prints them: host names and
// /etc/services names on input, reverse lookups in listings without -n. The parser
// and the formatters take a Resolver so that tests can pin the answers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fnat/model.hpp"

namespace fnat {

class Resolver {
public:
	virtual ~Resolver() = default;
	virtual std::optional<Address> host_to_addr(std::string_view name) const = 0;
	virtual std::optional<std::uint16_t> service_to_port(std::string_view name, Proto proto) const = 0;
	virtual std::optional<std::string> addr_to_host(const Address &addr) const = 0;
	virtual std::optional<std::string> port_to_service(std::uint16_t port, Proto proto) const = 0;
};

// Knows no names at all: numeric input only, numeric output always.
class NumericResolver final : public Resolver {
public:
	std::optional<Address> host_to_addr(std::string_view) const override { return std::nullopt; }
	std::optional<std::uint16_t> service_to_port(std::string_view, Proto) const override
	{
		return std::nullopt;
	}
	std::optional<std::string> addr_to_host(const Address &) const override { return std::nullopt; }
	std::optional<std::string> port_to_service(std::uint16_t, Proto) const override
	{
		return std::nullopt;
	}
};

// The system's resolver: getaddrinfo, getnameinfo, getservbyname, getservbyport.
class SystemResolver final : public Resolver {
public:
	std::optional<Address> host_to_addr(std::string_view name) const override;
	std::optional<std::uint16_t> service_to_port(std::string_view name, Proto proto) const override;
	std::optional<std::string> addr_to_host(const Address &addr) const override;
	std::optional<std::string> port_to_service(std::uint16_t port, Proto proto) const override;
};

}  // namespace fnat
