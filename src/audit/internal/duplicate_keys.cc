#include "audit/internal/duplicate_keys.h"

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

namespace strata::audit::internal {
namespace {

using boost::json::string_view;
using boost::system::error_code;

// A basic_parser handler that only tracks each open object's keys. Export
// objects have a handful of keys, so a vector per level is enough.
class KeyTracker {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  bool duplicate = false;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    open_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    open_.pop_back();
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(string_view part, std::size_t, error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(string_view part, std::size_t, error_code&) {
    key_.append(part.data(), part.size());
    std::vector<std::string>& keys = open_.back();
    if (std::find(keys.begin(), keys.end(), key_) != keys.end()) {
      duplicate = true;
      return false;  // stops the parse: the answer is known
    }
    keys.push_back(std::move(key_));
    key_.clear();
    return true;
  }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  std::vector<std::vector<std::string>> open_;
  std::string key_;
};

}  // namespace

bool HasDuplicateKeys(std::string_view json) {
  boost::json::parse_options options;
  options.max_depth = 4;  // as the real parse: deeper lines are refused there
  boost::json::basic_parser<KeyTracker> parser(options);
  error_code ec;
  parser.write_some(false, json.data(), json.size(), ec);
  return parser.handler().duplicate;
}

}  // namespace strata::audit::internal
