#pragma once
// Shared by the tool's unit tests: a resolver with fixed answers, and the whole tool
// (fnat::run) against a FakeKernel with captured standard streams.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"
#include "fake_kernel.hpp"
#include "resolver.hpp"

namespace fnat::test {

// www.example.test <-> 192.0.2.80, rs1.example.test <-> 203.0.113.11; http 80, https 443.
class FakeResolver final : public Resolver {
public:
	std::optional<Address> host_to_addr(std::string_view name) const override
	{
		for (const auto &[n, a] : hosts)
			if (n == name)
				return Address::parse(a);
		return std::nullopt;
	}
	std::optional<std::uint16_t> service_to_port(std::string_view name, Proto) const override
	{
		for (const auto &[n, p] : services)
			if (n == name)
				return p;
		return std::nullopt;
	}
	std::optional<std::string> addr_to_host(const Address &addr) const override
	{
		for (const auto &[n, a] : hosts)
			if (Address::parse(a) == addr)
				return n;
		return std::nullopt;
	}
	std::optional<std::string> port_to_service(std::uint16_t port, Proto) const override
	{
		for (const auto &[n, p] : services)
			if (p == port)
				return n;
		return std::nullopt;
	}

private:
	std::vector<std::pair<std::string, std::string>> hosts{{"www.example.test", "192.0.2.80"},
								{"rs1.example.test", "203.0.113.11"}};
	std::vector<std::pair<std::string, std::uint16_t>> services{{"http", 80}, {"https", 443}};
};

struct Result {
	int rc = 0;
	std::string out, err;
};

inline std::vector<std::string> words(const std::string &line)
{
	std::istringstream s(line);
	std::vector<std::string> w;
	for (std::string x; s >> x;)
		w.push_back(x);
	return w;
}

// The tool with a fake kernel; kernel_connects counts how often it was asked for.
struct Tool {
	FakeKernel kernel;
	FakeResolver resolver;
	int kernel_connects = 0;
	bool module_loaded = true;
	// What --prometheus reads as /proc/net/ip_vs_fnat_stats: none by default.
	std::string stats_path = "/nonexistent/ip_vs_fnat_stats";

	Result run(const std::vector<std::string> &args, const std::string &input = "")
	{
		std::istringstream in(input);
		std::ostringstream out, err;
		Env env{[this]() -> Kernel & {
				kernel_connects++;
				if (!module_loaded)
					throw ModuleNotLoaded();
				return kernel;
			},
			resolver, in, out, err};
		env.stats_path = stats_path;
		Result r;
		r.rc = fnat::run(args, env);
		r.out = out.str();
		r.err = err.str();
		return r;
	}
	// One command line, split on blanks.
	Result operator()(const std::string &line, const std::string &input = "") { return run(words(line), input); }
};

inline std::string golden_path(const std::string &name) { return std::string(GOLDEN_DIR) + "/" + name; }

inline std::string read_file(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	std::ostringstream s;
	s << f.rdbuf();
	return s.str();
}

}  // namespace fnat::test
