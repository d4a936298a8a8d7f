#include "nlmsg.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <linux/genetlink.h>
#include <linux/netlink.h>

namespace nlc {

namespace {

void put_raw(Bytes &out, const void *p, size_t n)
{
	if (n == 0)
		return;
	size_t old = out.size();
	out.resize(old + n);
	std::memcpy(out.data() + old, p, n);
}

void pad_to_align(Bytes &out)
{
	while (out.size() % NLA_ALIGNTO)
		out.push_back(0);
}

template <typename T> Attr scalar(uint16_t type, T v)
{
	Attr a;
	a.type = type;
	put_raw(a.payload, &v, sizeof(v));
	return a;
}

void encode_one(Bytes &out, const Attr &a)
{
	size_t start = out.size();
	nlattr hdr{};
	hdr.nla_type = a.type;
	put_raw(out, &hdr, sizeof(hdr));
	if (a.is_nest)
		for (const auto &k : a.kids)
			encode_one(out, k);
	else
		put_raw(out, a.payload.data(), a.payload.size());
	size_t len = out.size() - start;
	uint16_t wire_len = a.raw_len ? *a.raw_len : static_cast<uint16_t>(len);
	std::memcpy(out.data() + start, &wire_len, sizeof(wire_len));
	pad_to_align(out);
}

} // namespace

Attr u8(uint16_t type, uint8_t v) { return scalar(type, v); }
Attr u16(uint16_t type, uint16_t v) { return scalar(type, v); }
Attr u32(uint16_t type, uint32_t v) { return scalar(type, v); }
Attr u64(uint16_t type, uint64_t v) { return scalar(type, v); }
Attr be16(uint16_t type, uint16_t host_value) { return scalar(type, htons(host_value)); }

Attr str(uint16_t type, const std::string &s)
{
	Attr a;
	a.type = type;
	put_raw(a.payload, s.c_str(), s.size() + 1);
	return a;
}

Attr bytes(uint16_t type, Bytes b)
{
	Attr a;
	a.type = type;
	a.payload = std::move(b);
	return a;
}

Attr nest_noflag(uint16_t type, std::vector<Attr> kids)
{
	Attr a;
	a.type = type;
	a.is_nest = true;
	a.kids = std::move(kids);
	return a;
}

Attr nest(uint16_t type, std::vector<Attr> kids)
{
	return nest_noflag(type | NLA_F_NESTED, std::move(kids));
}

Attr with_len(Attr a, uint16_t raw_len)
{
	a.raw_len = raw_len;
	return a;
}

Attr with_flags(Attr a, uint16_t flags)
{
	a.type |= flags;
	return a;
}

Bytes encode(const std::vector<Attr> &attrs)
{
	Bytes out;
	for (const auto &a : attrs)
		encode_one(out, a);
	return out;
}

Bytes encode_request(const Request &r, uint16_t family, uint32_t seq)
{
	Bytes out;
	nlmsghdr nh{};
	nh.nlmsg_type = family;
	nh.nlmsg_flags = NLM_F_REQUEST | (r.dump ? NLM_F_DUMP : NLM_F_ACK);
	nh.nlmsg_seq = seq;
	put_raw(out, &nh, sizeof(nh));
	genlmsghdr gh{};
	gh.cmd = r.cmd;
	gh.version = r.version;
	gh.reserved = r.reserved;
	put_raw(out, &gh, sizeof(gh));
	Bytes body = encode(r.attrs);
	put_raw(out, body.data(), body.size());
	put_raw(out, r.trailer.data(), r.trailer.size());
	uint32_t len = static_cast<uint32_t>(out.size());
	std::memcpy(out.data(), &len, sizeof(len));
	return out;
}

Bytes addr(const std::string &text)
{
	in6_addr a6{};
	in_addr a4{};
	if (inet_pton(AF_INET, text.c_str(), &a4) == 1)
		return Bytes(reinterpret_cast<uint8_t *>(&a4), reinterpret_cast<uint8_t *>(&a4) + 4);
	if (inet_pton(AF_INET6, text.c_str(), &a6) == 1)
		return Bytes(a6.s6_addr, a6.s6_addr + 16);
	throw std::invalid_argument("not an address: " + text);
}

std::string addr_str(const uint8_t *p, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	if (len == 4)
		return inet_ntop(AF_INET, p, buf, sizeof(buf));
	if (len == 16)
		return inet_ntop(AF_INET6, p, buf, sizeof(buf));
	return "<" + std::to_string(len) + " bytes>";
}

AttrSet::AttrSet(const uint8_t *p, size_t len)
{
	size_t off = 0;
	while (off < len) {
		if (len - off < NLA_HDRLEN)
			throw ParseError("truncated attribute header");
		nlattr hdr;
		std::memcpy(&hdr, p + off, sizeof(hdr));
		if (hdr.nla_len < NLA_HDRLEN || hdr.nla_len > len - off)
			throw ParseError("bad attribute length");
		uint16_t type = hdr.nla_type & NLA_TYPE_MASK;
		Entry e{Bytes(p + off + NLA_HDRLEN, p + off + hdr.nla_len),
			(hdr.nla_type & NLA_F_NESTED) != 0};
		if (!attrs_.emplace(type, std::move(e)).second)
			throw ParseError("attribute " + std::to_string(type) + " appears twice");
		off += NLA_ALIGN(hdr.nla_len);
	}
}

const AttrSet::Entry &AttrSet::at(uint16_t type) const
{
	auto it = attrs_.find(type);
	if (it == attrs_.end())
		throw ParseError("missing attribute " + std::to_string(type));
	return it->second;
}

const Bytes &AttrSet::raw(uint16_t type) const { return at(type).data; }

namespace {
template <typename T> T get_exact(const Bytes &b, uint16_t type)
{
	if (b.size() != sizeof(T))
		throw ParseError("attribute " + std::to_string(type) + " has " +
				 std::to_string(b.size()) + " bytes, expected " +
				 std::to_string(sizeof(T)));
	T v;
	std::memcpy(&v, b.data(), sizeof(T));
	return v;
}
} // namespace

uint8_t AttrSet::get_u8(uint16_t t) const { return get_exact<uint8_t>(raw(t), t); }
uint16_t AttrSet::get_u16(uint16_t t) const { return get_exact<uint16_t>(raw(t), t); }
uint32_t AttrSet::get_u32(uint16_t t) const { return get_exact<uint32_t>(raw(t), t); }
uint64_t AttrSet::get_u64(uint16_t t) const { return get_exact<uint64_t>(raw(t), t); }
uint16_t AttrSet::get_be16(uint16_t t) const { return ntohs(get_exact<uint16_t>(raw(t), t)); }

std::string AttrSet::get_str(uint16_t t) const
{
	const Bytes &b = raw(t);
	if (b.empty() || b.back() != 0)
		throw ParseError("string attribute " + std::to_string(t) + " is not NUL-terminated");
	return std::string(reinterpret_cast<const char *>(b.data()), b.size() - 1);
}

AttrSet AttrSet::nested(uint16_t t) const
{
	const Entry &e = at(t);
	if (!e.nested)
		throw ParseError("attribute " + std::to_string(t) + " lacks NLA_F_NESTED");
	return AttrSet(e.data.data(), e.data.size());
}

bool AttrSet::nested_flag(uint16_t t) const { return at(t).nested; }

std::vector<uint16_t> AttrSet::types() const
{
	std::vector<uint16_t> v;
	for (const auto &[k, e] : attrs_)
		v.push_back(k);
	return v;
}

} // namespace nlc
