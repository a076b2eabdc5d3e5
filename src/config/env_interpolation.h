#pragma once

// `${NAME}` substitution in config scalars, done on each value after YAML
// parsing and before it is typed, so `port: ${PORT}` works and a variable's
// value can never change the structure of the document.

#include <string>
#include <string_view>
#include <vector>

#include "config/environment.h"
#include "core/result.h"

namespace strata::config {

struct Interpolated {
  std::string text;                    // the value with every reference replaced
  std::vector<std::string> variables;  // names referenced, in order; empty: text is literal
};

// Replaces, in `text`:
//   ${NAME}           with NAME's value; unset is an error (set but empty is fine);
//   ${NAME:-fallback} with NAME's value, or `fallback` when NAME is unset or
//                     empty (as in sh); the fallback is literal and ends at the
//                     first '}';
//   $${               with a literal "${".
// Any other '$' is kept as is. NAME is [A-Za-z_][A-Za-z0-9_]*.
// Errors (kInvalidRequest) name the variables, never their values, so they
// are safe to print. Their messages are predicates meant to follow the key's
// path: "uses environment variable 'PORT', which is not set (...)".
core::Result<Interpolated> Interpolate(std::string_view text, const Environment& environment);

}  // namespace strata::config
