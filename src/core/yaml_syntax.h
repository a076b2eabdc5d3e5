#pragma once

#include <string>
#include <string_view>

namespace strata::core {

// yaml-cpp 0.7 (Debian 12) never returns on some invalid documents, and its
// memory grows meanwhile: a block node starting with ',' (","), or a flow
// collection closed by the wrong bracket ("a: {b: c: {d]"), among others that
// tests/fuzz/policy_document_fuzz.cc found. A policy sent to the admin API, or
// a config file with a typo, must never hang, so libyaml, the reference
// parser, checks the syntax first: yaml-cpp only ever sees documents libyaml
// accepts with no line starting with ',' (yaml-cpp loops on some of those
// even where they are valid) and, unless `allow_anchors`, no anchors,
// aliases or tags (an anchor holding ',' loops it too).
struct SyntaxProblem {
  int line = 0;  // 1-based; 0: the document is well-formed
  std::string message;
};
SyntaxProblem CheckYamlSyntax(std::string_view text, bool allow_anchors = false);

}  // namespace strata::core
