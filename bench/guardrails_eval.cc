// strata-guardrails-eval: precision, recall and F2 of the guardrail detectors
// per entity type on a labelled set (docs/GUARDRAILS.md, "Quality";
// bench/guardrails_eval/README.md says how the set is made). Prints numbers and
// asserts nothing: quality is measured here, the regression cases live in
// tests/unit/guardrails.
//
//   cmake --build build/release --target strata-guardrails-eval
//   build/release/bench/strata-guardrails-eval [eval_set.jsonl] [--min-score X] [--json]
//
// Matching rule, per example and per type: a prediction matches a label when
// both have the same type and they overlap by at least half of the label's
// length (in bytes). Labels and predictions are paired greedily, in label
// order, each used at most once. A matched pair is a true positive, an unpaired
// prediction a false positive, an unpaired label a false negative. Totals are
// micro-averaged (summed counts over all types). F2 weighs recall twice as
// much as precision: a missed secret costs more than a redacted non-secret.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "guardrails/finding.h"
#include "guardrails/scanner.h"

namespace {

namespace json = boost::json;
using strata::guardrails::EntityName;
using strata::guardrails::EntityType;
using strata::guardrails::Finding;
using strata::guardrails::kEntityTypeCount;
using strata::guardrails::Scanner;
using strata::guardrails::ScannerOptions;

struct Span {
  int type = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct Example {
  std::string id;
  std::string text;
  std::vector<Span> spans;
};

struct Counts {
  std::size_t tp = 0, fp = 0, fn = 0;
  std::size_t support() const { return tp + fn; }
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / double(tp + fn); }
  double f2() const {
    const double p = precision(), r = recall();
    return p + r == 0 ? 0.0 : 5.0 * p * r / (4.0 * p + r);
  }
};

std::optional<int> TypeByName(std::string_view name) {
  for (int i = 0; i < kEntityTypeCount; ++i) {
    if (EntityName(static_cast<EntityType>(i)) == name) return i;
  }
  return std::nullopt;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "strata-guardrails-eval: %s\n", what.c_str());
  std::exit(2);
}

std::vector<Example> Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot open " + path);
  std::vector<Example> examples;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    boost::system::error_code ec;
    const json::value value = json::parse(line, ec);
    if (ec || !value.is_object()) Fail(where + "not a JSON object");
    const json::object& object = value.get_object();
    Example example;
    const auto* id = object.if_contains("id");
    const auto* text = object.if_contains("text");
    const auto* spans = object.if_contains("spans");
    if (!id || !id->is_string() || !text || !text->is_string() || !spans || !spans->is_array()) {
      Fail(where + "needs \"id\" and \"text\" strings and a \"spans\" array");
    }
    example.id = std::string(id->get_string());
    example.text = std::string(text->get_string());
    for (const json::value& item : spans->get_array()) {
      const json::object* span = item.if_object();
      if (!span) Fail(where + "a span is not an object");
      const auto* type = span->if_contains("type");
      const auto* begin = span->if_contains("begin");
      const auto* end = span->if_contains("end");
      if (!type || !type->is_string() || !begin || !begin->is_int64() || !end || !end->is_int64()) {
        Fail(where + "a span needs \"type\", \"begin\" and \"end\"");
      }
      const auto kind = TypeByName(type->get_string());
      if (!kind) Fail(where + "unknown type " + std::string(type->get_string()));
      const std::int64_t b = begin->get_int64(), e = end->get_int64();
      if (b < 0 || e <= b || std::size_t(e) > example.text.size()) Fail(where + "span out of range");
      example.spans.push_back({*kind, std::size_t(b), std::size_t(e)});
    }
    examples.push_back(std::move(example));
  }
  return examples;
}

std::size_t Overlap(std::size_t b1, std::size_t e1, std::size_t b2, std::size_t e2) {
  const std::size_t b = std::max(b1, b2), e = std::min(e1, e2);
  return e > b ? e - b : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "bench/guardrails_eval/eval_set.jsonl";
  double min_score = strata::guardrails::kDefaultMinScore;
  bool as_json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--json") {
      as_json = true;
    } else if (arg == "--min-score" && i + 1 < argc) {
      char* end = nullptr;
      min_score = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0') Fail("--min-score takes a number");
    } else if (arg == "-h" || arg == "--help") {
      std::printf("usage: strata-guardrails-eval [eval_set.jsonl] [--min-score X] [--json]\n");
      return 0;
    } else if (!arg.empty() && arg[0] != '-') {
      path = std::string(arg);
    } else {
      Fail("unknown argument " + std::string(arg) + " (see --help)");
    }
  }

  const std::vector<Example> examples = Load(path);
  const Scanner scanner(ScannerOptions{.min_score = min_score});

  std::array<Counts, kEntityTypeCount> counts{};
  std::size_t negatives = 0, negatives_flagged = 0, negative_findings = 0;
  json::array errors;  // each FP and FN, for --json

  for (const Example& example : examples) {
    const std::vector<Finding> findings = scanner.Scan(example.text);
    std::vector<bool> used(findings.size(), false);
    for (const Span& label : example.spans) {
      const std::size_t need = (label.end - label.begin + 1) / 2;  // at least half, rounded up
      bool matched = false;
      for (std::size_t f = 0; f < findings.size() && !matched; ++f) {
        if (used[f] || static_cast<int>(findings[f].type) != label.type) continue;
        if (Overlap(label.begin, label.end, findings[f].begin, findings[f].end) >= need) {
          used[f] = matched = true;
        }
      }
      if (matched) {
        ++counts[label.type].tp;
      } else {
        ++counts[label.type].fn;
        errors.push_back({{"id", example.id}, {"kind", "FN"},
                          {"type", EntityName(static_cast<EntityType>(label.type))},
                          {"text", std::string_view(example.text).substr(label.begin, label.end - label.begin)}});
      }
    }
    for (std::size_t f = 0; f < findings.size(); ++f) {
      if (used[f]) continue;
      ++counts[static_cast<int>(findings[f].type)].fp;
      errors.push_back({{"id", example.id}, {"kind", "FP"}, {"type", EntityName(findings[f].type)},
                        {"score", findings[f].score},
                        {"text", std::string_view(example.text).substr(findings[f].begin, findings[f].size())}});
    }
    if (example.spans.empty()) {
      ++negatives;
      negative_findings += findings.size();
      if (!findings.empty()) ++negatives_flagged;
    }
  }

  Counts total;
  for (const Counts& c : counts) {
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
  }
  const double negative_rate = negatives == 0 ? 0.0 : double(negatives_flagged) / double(negatives);

  if (as_json) {
    json::object out;
    out["set"] = path;
    out["examples"] = examples.size();
    out["min_score"] = min_score;
    json::object per_type;
    auto row = [](const Counts& c) {
      return json::object{{"support", c.support()}, {"tp", c.tp}, {"fp", c.fp}, {"fn", c.fn},
                          {"precision", c.precision()}, {"recall", c.recall()}, {"f2", c.f2()}};
    };
    for (int i = 0; i < kEntityTypeCount; ++i) {
      per_type[EntityName(static_cast<EntityType>(i))] = row(counts[i]);
    }
    out["types"] = std::move(per_type);
    out["total"] = row(total);
    out["negatives"] = {{"examples", negatives}, {"flagged", negatives_flagged},
                        {"findings", negative_findings}, {"false_positive_rate", negative_rate}};
    out["errors"] = std::move(errors);
    std::cout << json::serialize(out) << "\n";
    return 0;
  }

  std::printf("set: %s, %zu examples, min_score %.2f\n\n", path.c_str(), examples.size(), min_score);
  std::printf("| type | support | TP | FP | FN | precision | recall | F2 |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  auto print_row = [](std::string_view name, const Counts& c, bool bold) {
    const char* b = bold ? "**" : "";
    std::printf("| %s%.*s%s | %zu | %zu | %zu | %zu | %.3f | %.3f | %s%.3f%s |\n", b,
                int(name.size()), name.data(), b, c.support(), c.tp, c.fp, c.fn, c.precision(),
                c.recall(), b, c.f2(), b);
  };
  for (int i = 0; i < kEntityTypeCount; ++i) {
    print_row(EntityName(static_cast<EntityType>(i)), counts[i], false);
  }
  print_row("total (micro)", total, true);
  std::printf("\nnegative-only examples: %zu; flagged (any finding): %zu (%.1f%%); findings on them: %zu\n",
              negatives, negatives_flagged, 100.0 * negative_rate, negative_findings);
  return 0;
}
