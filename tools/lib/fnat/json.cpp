#include "fnat/json.hpp"

namespace fnat::json {

std::string dump(const Value &v)
{
	return v.dump(2, ' ', false, Value::error_handler_t::replace) + '\n';
}

}  // namespace fnat::json
