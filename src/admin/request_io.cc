#include "admin/request_io.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace strata::admin {
namespace {

namespace beast_http = boost::beast::http;

// application/x-www-form-urlencoded: '+' is a space, %XX a byte; a broken
// escape is kept as written.
std::string PercentDecode(std::string_view text) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

core::Error Invalid(std::string_view field, std::string_view what) {
  // append(), not operator+: g++ 12 -O2 warns falsely (-Wrestrict) on "'" + std::string.
  std::string message;
  message.append("'").append(field).append("' ").append(what);
  return core::Error::InvalidRequest(std::move(message), std::string(field));
}

}  // namespace

core::Result<Body> Body::Parse(const http::Request& request) {
  boost::system::error_code ec;
  json::value parsed = json::parse(request.body(), ec);
  if (ec) return core::Error::InvalidRequest("the request body is not valid JSON: " + ec.message());
  if (!parsed.is_object()) return core::Error::InvalidRequest("the request body must be a JSON object");
  return Body(std::move(parsed.get_object()));
}

const json::value* Body::Take(std::string_view field) {
  seen_.emplace_back(field);
  const json::value* value = object_.if_contains(field);
  return value == nullptr || value->is_null() ? nullptr : value;
}

core::Result<std::string> Body::RequiredString(std::string_view field) {
  const json::value* value = Take(field);
  if (value == nullptr || !value->is_string() || value->get_string().empty()) {
    return Invalid(field, "must be a non-empty string");
  }
  return std::string(value->get_string());
}

core::Result<std::optional<std::string>> Body::OptionalString(std::string_view field) {
  const json::value* value = Take(field);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return Invalid(field, "must be a string");
  return std::optional<std::string>(std::string(value->get_string()));
}

core::Result<std::optional<std::int64_t>> Body::OptionalInteger(std::string_view field, std::int64_t min,
                                                                std::int64_t max) {
  const json::value* value = Take(field);
  if (value == nullptr) return std::optional<std::int64_t>();
  std::optional<std::int64_t> number;
  if (value->is_int64()) number = value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(max)) {
    number = static_cast<std::int64_t>(value->get_uint64());
  }
  if (!number || *number < min || *number > max) {
    return Invalid(field, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return number;
}

core::Result<std::optional<double>> Body::OptionalNumber(std::string_view field, double min, double max) {
  const json::value* value = Take(field);
  if (value == nullptr) return std::optional<double>();
  if (!value->is_number()) return Invalid(field, "must be a number");
  const double number = value->to_number<double>();
  if (!std::isfinite(number) || number < min || number > max) {
    return Invalid(field, "must be a number from " + json::serialize(json::value(min)) + " to " +
                              json::serialize(json::value(max)));
  }
  return std::optional<double>(number);
}

core::Result<std::optional<bool>> Body::OptionalBool(std::string_view field) {
  const json::value* value = Take(field);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_bool()) return Invalid(field, "must be a boolean");
  return std::optional<bool>(value->get_bool());
}

core::Result<std::optional<std::vector<std::string>>> Body::OptionalStringList(std::string_view field) {
  const json::value* value = Take(field);
  if (value == nullptr) return std::optional<std::vector<std::string>>();
  if (!value->is_array()) return Invalid(field, "must be an array of strings");
  std::vector<std::string> items;
  for (const json::value& item : value->get_array()) {
    if (!item.is_string() || item.get_string().empty()) return Invalid(field, "must be an array of non-empty strings");
    items.emplace_back(item.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(items));
}

core::Result<std::optional<std::string>> Body::OptionalObjectText(std::string_view field) {
  const json::value* value = Take(field);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_object()) return Invalid(field, "must be a JSON object");
  return std::optional<std::string>(json::serialize(*value));
}

core::Status Body::Finish() const {
  for (const auto& [key, value] : object_) {
    if (std::find(seen_.begin(), seen_.end(), std::string_view(key)) == seen_.end()) {
      return Invalid(key, "is not a field of this request");
    }
  }
  return core::Status();
}

std::optional<std::string> QueryParam(const http::Request& request, std::string_view name) {
  const std::string_view target = request.target();
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t equals = pair.find('=');
    if (PercentDecode(pair.substr(0, equals)) != name) continue;
    return equals == std::string_view::npos ? std::string() : PercentDecode(pair.substr(equals + 1));
  }
  return std::nullopt;
}

core::Result<PageParams> ReadPageParams(const http::Request& request) {
  PageParams page;
  if (std::optional<std::string> limit = QueryParam(request, "limit")) {
    int value = 0;
    const auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 || value > 500) {
      return core::Error::InvalidRequest("'limit' must be an integer from 1 to 500", "limit");
    }
    page.limit = value;
  }
  if (std::optional<std::string> after = QueryParam(request, "after")) page.after = std::move(*after);
  return page;
}

http::Response JsonReply(const json::value& body, unsigned version, int status) {
  http::Response response(static_cast<beast_http::status>(status), version);
  response.set(beast_http::field::content_type, "application/json");
  response.body() = json::serialize(body);
  return response;
}

json::object ListReply(json::array data, const std::string& next_after) {
  json::object list;
  list["object"] = "list";
  list["data"] = std::move(data);
  list["has_more"] = !next_after.empty();
  list["next_after"] = next_after.empty() ? json::value(nullptr) : json::value(next_after);
  return list;
}

core::Status CheckName(std::string_view field, std::string_view name) {
  const bool valid = !name.empty() && name.size() <= 64 && name.front() != '-' &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                     });
  if (!valid) return Invalid(field, "must be 1 to 64 lowercase letters, digits or '-', not starting with '-'");
  return core::Status();
}

}  // namespace strata::admin
