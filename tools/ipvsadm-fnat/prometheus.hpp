#pragma once
// --prometheus: the services, real servers, local addresses and the datapath's
// counters of /proc/net/ip_vs_fnat_stats in the Prometheus text exposition format
// (version 0.0.4), for node-exporter's textfile collector or any scraper. Pure: the
// caller reads the kernel and the file.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fnat/model.hpp"

namespace fnat {

// One "name value" line of /proc/net/ip_vs_fnat_stats.
struct ProcCounter {
	std::string name;
	std::uint64_t value = 0;
	bool operator==(const ProcCounter &) const = default;
};

// The lines of /proc/net/ip_vs_fnat_stats ("%-24s %llu"): those with exactly two
// fields, a name fit for a metric name and a decimal value; the others are skipped.
std::vector<ProcCounter> parse_proc_counters(std::string_view text);

// A label value or HELP text escaped as the format wants: \ as \\, newline as \n,
// and (label values only) " as \".
std::string prometheus_escape(std::string_view s, bool label_value = true);

// Every metric of the listing (services with destinations and local addresses, the
// default LIP pool) and of the datapath counters, grouped by metric family, each with
// its # HELP and # TYPE lines. Families without a sample are left out.
std::string format_prometheus(const Listing &listing, const std::vector<ProcCounter> &counters);

}  // namespace fnat
