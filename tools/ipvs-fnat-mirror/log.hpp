#pragma once
// Where the daemon writes: one line per event, prefixed with the program's name, to
// a stream (stderr: the systemd journal). Also the two ways of not repeating itself:
// notes once per service and reason, conditions once until they change.
#include <iosfwd>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reconcile.hpp"

namespace mirror {

inline constexpr std::string_view kProg = "ipvs-fnat-mirror";

class Log {
public:
	explicit Log(std::ostream &out, bool verbose = false) : out_(out), verbose_(verbose) {}
	void info(std::string_view line);
	void debug(std::string_view line);  // --verbose only
	bool verbose() const { return verbose_; }

private:
	std::ostream &out_;
	bool verbose_;
};

// Notes of the last plans: a note is logged when it first appears, and again only if
// it went away in between (or after reset(): SIGHUP).
class NoteLog {
public:
	void report(const std::vector<Note> &notes, Log &log);
	void reset() { seen_.clear(); }

private:
	std::set<Note> seen_;
};

// A failing condition (the IPVS side unreadable, the module not loaded): logged when
// it starts or its text changes, and once when it clears; not on every poll.
class Condition {
public:
	void fail(const std::string &text, Log &log);
	void clear(std::string_view recovered, Log &log);
	bool failing() const { return !last_.empty(); }

private:
	std::string last_;
};

}  // namespace mirror
