#include "config/env_interpolation.h"

#include <cstdlib>

namespace strata::config {
namespace {

bool IsValidName(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string UnsetMessage(const std::vector<std::string>& names) {
  std::string quoted;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      quoted += i + 1 == names.size() ? " and " : ", ";
    }
    quoted += "'" + names[i] + "'";
  }
  const bool one = names.size() == 1;
  return std::string(one ? "uses environment variable " : "uses environment variables ") + quoted +
         (one ? ", which is not set" : ", which are not set") + " (write ${" + names.front() +
         ":-default} to give a fallback)";
}

}  // namespace

Environment ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

core::Result<Interpolated> Interpolate(std::string_view text, const Environment& environment) {
  Interpolated result;
  result.text.reserve(text.size());
  // Every unset variable of the value is reported at once, not one per run.
  std::vector<std::string> unset;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 3) == "$${") {
      result.text += "${";
      i += 3;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      result.text += text[i++];
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return core::Error::InvalidRequest("has a '${' without its closing '}' (write '$${' for a literal '${')");
    }
    const std::string_view reference = text.substr(i + 2, close - i - 2);
    const std::size_t separator = reference.find(":-");
    const std::string_view name = reference.substr(0, separator);
    if (!IsValidName(name)) {
      // The reference is file text, not a value from the environment: safe to show.
      return core::Error::InvalidRequest("has '${" + std::string(reference) +
                                         "}', which does not start with a variable name "
                                         "(letters, digits and '_'; write '$${' for a literal '${')");
    }
    result.variables.emplace_back(name);
    std::optional<std::string> value = environment(name);
    if (separator != std::string_view::npos) {
      if (!value || value->empty()) {
        value = std::string(reference.substr(separator + 2));
      }
    }
    if (value) {
      result.text += *value;
    } else {
      unset.emplace_back(name);
    }
    i = close + 1;
  }
  if (!unset.empty()) {
    return core::Error::InvalidRequest(UnsetMessage(unset));
  }
  return result;
}

}  // namespace strata::config
