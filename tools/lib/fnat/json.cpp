#include "fnat/json.hpp"

#include <cstdio>

namespace fnat::json {
namespace {

void indent(std::string &out, int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

void write(std::string &out, const Value &val, int depth)
{
	if (std::holds_alternative<std::nullptr_t>(val.v)) {
		out += "null";
	} else if (auto *b = std::get_if<bool>(&val.v)) {
		out += *b ? "true" : "false";
	} else if (auto *n = std::get_if<std::uint64_t>(&val.v)) {
		out += std::to_string(*n);
	} else if (auto *s = std::get_if<std::string>(&val.v)) {
		out += quote(*s);
	} else if (auto *a = std::get_if<Array>(&val.v)) {
		if (a->empty()) {
			out += "[]";
			return;
		}
		out += "[\n";
		for (std::size_t i = 0; i < a->size(); i++) {
			indent(out, depth + 1);
			write(out, (*a)[i], depth + 1);
			out += i + 1 < a->size() ? ",\n" : "\n";
		}
		indent(out, depth);
		out += "]";
	} else if (auto *o = std::get_if<Object>(&val.v)) {
		if (o->empty()) {
			out += "{}";
			return;
		}
		out += "{\n";
		for (std::size_t i = 0; i < o->size(); i++) {
			indent(out, depth + 1);
			out += quote((*o)[i].first);
			out += ": ";
			write(out, (*o)[i].second, depth + 1);
			out += i + 1 < o->size() ? ",\n" : "\n";
		}
		indent(out, depth);
		out += "}";
	}
}

}  // namespace

std::string quote(std::string_view s)
{
	std::string out = "\"";
	for (unsigned char c : s) {
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (c < 0x20) {
				char buf[8];
				std::snprintf(buf, sizeof(buf), "\\u%04x", c);
				out += buf;
			} else {
				out += static_cast<char>(c);
			}
		}
	}
	out += '"';
	return out;
}

std::string dump(const Value &v)
{
	std::string out;
	write(out, v, 0);
	out += '\n';
	return out;
}

}  // namespace fnat::json
