#include "audit/internal/json_fields.h"

#include <string>

namespace strata::audit::internal {
namespace {

core::Error FieldError(std::string_view name, std::string_view problem) {
  return core::Error::InvalidRequest("\"" + std::string(name) + "\" " + std::string(problem), std::string(name));
}

core::Result<const boost::json::value*> Field(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr) return FieldError(name, "is missing");
  return value;
}

}  // namespace

core::Status OnlyFields(const boost::json::object& object, std::initializer_list<std::string_view> allowed) {
  for (const auto& member : object) {
    bool known = false;
    for (std::string_view name : allowed) known = known || member.key() == name;
    if (!known) {
      // The key is arbitrary input: say which, but bounded and escaped by
      // the JSON the error is later written into.
      const std::string_view key = member.key();
      return FieldError(key.substr(0, 64), "is not a field of this line");
    }
  }
  return {};
}

core::Result<std::string_view> StringField(const boost::json::object& object, std::string_view name) {
  auto value = Field(object, name);
  if (!value) return value.error();
  if (!(*value)->is_string()) return FieldError(name, "must be a string");
  const boost::json::string& text = (*value)->get_string();
  return std::string_view(text.data(), text.size());
}

core::Result<std::uint64_t> UnsignedField(const boost::json::object& object, std::string_view name,
                                          std::uint64_t minimum) {
  auto value = Field(object, name);
  if (!value) return value.error();
  std::uint64_t number = 0;
  if ((*value)->is_uint64()) {
    number = (*value)->get_uint64();
  } else if ((*value)->is_int64() && (*value)->get_int64() >= 0) {
    number = static_cast<std::uint64_t>((*value)->get_int64());
  } else {
    return FieldError(name, "must be a non-negative integer");
  }
  if (number < minimum) return FieldError(name, "must be at least " + std::to_string(minimum));
  return number;
}

core::Result<std::int64_t> SignedField(const boost::json::object& object, std::string_view name) {
  auto value = Field(object, name);
  if (!value) return value.error();
  if (!(*value)->is_int64()) return FieldError(name, "must be an integer");
  return (*value)->get_int64();
}

core::Result<Digest> HexDigestField(const boost::json::object& object, std::string_view name) {
  auto text = StringField(object, name);
  if (!text) return text.error();
  auto digest = DigestFromHex(*text);
  if (!digest) return FieldError(name, "must be 64 lowercase hex characters");
  return *digest;
}

core::Result<std::string> Base64Field(const boost::json::object& object, std::string_view name,
                                      std::size_t size) {
  auto text = StringField(object, name);
  if (!text) return text.error();
  auto bytes = Base64Decode(*text);
  if (!bytes) return FieldError(name, "must be padded standard base64");
  if (size != 0 && bytes->size() != size) {
    return FieldError(name, "must decode to " + std::to_string(size) + " bytes");
  }
  return std::move(*bytes);
}

}  // namespace strata::audit::internal
