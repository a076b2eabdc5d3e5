#include "core/yaml_syntax.h"

#include <yaml.h>

namespace strata::core {

namespace {

// yaml-cpp also loops on documents libyaml accepts, where a line's first
// character is ',' (a plain scalar's continuation, in YAML 1.1). No policy
// needs one.
SyntaxProblem CheckLineStarts(std::string_view text) {
  int line = 1;
  bool at_start = true;
  for (char c : text) {
    if (c == '\n') {
      ++line;
      at_start = true;
    } else if (at_start && c != ' ' && c != '\t') {
      if (c == ',') return {line, "a line cannot start with ','"};
      at_start = false;
    }
  }
  return {};
}

// Policies are plain YAML: anchors, aliases and tags buy nothing there, and
// yaml-cpp mishandles some of them (an anchor holding ',' loops it).
const char* PlainYamlViolation(const yaml_event_t& event) {
  const unsigned char* anchor = nullptr;
  const unsigned char* tag = nullptr;
  switch (event.type) {
    case YAML_ALIAS_EVENT: return "aliases are not allowed in a policy";
    case YAML_SCALAR_EVENT:
      anchor = event.data.scalar.anchor;
      tag = event.data.scalar.tag;
      break;
    case YAML_SEQUENCE_START_EVENT:
      anchor = event.data.sequence_start.anchor;
      tag = event.data.sequence_start.tag;
      break;
    case YAML_MAPPING_START_EVENT:
      anchor = event.data.mapping_start.anchor;
      tag = event.data.mapping_start.tag;
      break;
    default: break;
  }
  if (anchor != nullptr) return "anchors are not allowed in a policy";
  if (tag != nullptr) return "tags are not allowed in a policy";
  return nullptr;
}

}  // namespace

SyntaxProblem CheckYamlSyntax(std::string_view text, bool allow_anchors) {
  if (SyntaxProblem problem = CheckLineStarts(text); problem.line > 0) return problem;
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return {1, "cannot start the YAML parser"};
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  SyntaxProblem problem;
  for (;;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      problem.line = static_cast<int>(parser.problem_mark.line) + 1;
      problem.message = parser.problem != nullptr ? parser.problem : "malformed YAML";
      if (parser.context != nullptr) problem.message = std::string(parser.context) + ": " + problem.message;
      break;
    }
    const bool end = event.type == YAML_STREAM_END_EVENT;
    const char* refused = allow_anchors ? nullptr : PlainYamlViolation(event);
    if (refused != nullptr) {
      problem.line = static_cast<int>(event.start_mark.line) + 1;
      problem.message = refused;
    }
    yaml_event_delete(&event);
    if (end || refused != nullptr) break;
  }
  yaml_parser_delete(&parser);
  return problem;
}

}  // namespace strata::core
