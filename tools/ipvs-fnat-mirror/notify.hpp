#pragma once
// keepalived's lvs_notify_fifo: lines like
//   RS [203.0.113.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN
//   VS [192.0.2.10]:tcp:80 UP
// Every line, understood or not, only means "something changed": reconcile. Parsing
// is for the --verbose log.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mirror {

struct NotifyEvent {
	std::string kind;    // "VS" or "RS"
	std::string target;  // the rest between kind and state, as keepalived wrote it
	bool up = false;
	bool operator==(const NotifyEvent &) const = default;
};

// nullopt for anything that is not a VS/RS UP/DOWN line (that is fine).
std::optional<NotifyEvent> parse_notify_line(std::string_view line);

// Bytes read from the FIFO, cut into lines. A line longer than kMaxLine is cut there
// (its remainder becomes its own line): a writer that never ends a line cannot make
// the buffer grow without bound.
class LineBuffer {
public:
	static constexpr std::size_t kMaxLine = 4096;
	void feed(std::string_view bytes);
	// The complete lines so far (without their '\n'); the partial one stays.
	std::vector<std::string> take();

private:
	std::string partial_;
	std::vector<std::string> lines_;
};

}  // namespace mirror
