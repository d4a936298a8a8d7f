#include "notify.hpp"

namespace mirror {

std::optional<NotifyEvent> parse_notify_line(std::string_view line)
{
	while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
		line.remove_suffix(1);
	while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
		line.remove_prefix(1);
	const auto first = line.find(' ');
	const auto last = line.rfind(' ');
	if (first == std::string_view::npos || last == first)
		return std::nullopt;
	const std::string_view kind = line.substr(0, first);
	const std::string_view state = line.substr(last + 1);
	if ((kind != "VS" && kind != "RS") || (state != "UP" && state != "DOWN"))
		return std::nullopt;
	std::string_view target = line.substr(first + 1, last - first - 1);
	while (!target.empty() && target.front() == ' ')
		target.remove_prefix(1);
	while (!target.empty() && target.back() == ' ')
		target.remove_suffix(1);
	if (target.empty())
		return std::nullopt;
	return NotifyEvent{std::string(kind), std::string(target), state == "UP"};
}

void LineBuffer::feed(std::string_view bytes)
{
	for (const char c : bytes) {
		if (c == '\n') {
			lines_.push_back(std::move(partial_));
			partial_.clear();
			continue;
		}
		partial_.push_back(c);
		if (partial_.size() >= kMaxLine) {
			lines_.push_back(std::move(partial_));
			partial_.clear();
		}
	}
}

std::vector<std::string> LineBuffer::take()
{
	std::vector<std::string> out;
	out.swap(lines_);
	return out;
}

}  // namespace mirror
