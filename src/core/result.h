#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include "core/error.h"

namespace strata::core {

// Result<T> holds a T or an Error. Check it before use:
//   Result<Config> config = Load(path);
//   if (!config) return config.error();
template <class T>
using Result = boost::system::result<T, Error>;
using Status = Result<void>;

// Called by Result::value() on an error: the one place an Error becomes an
// exception, for startup code that prefers to throw.
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& location);

class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error error) : std::runtime_error(error.message()), error_(std::move(error)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

}  // namespace strata::core
