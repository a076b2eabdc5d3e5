#include "guardrails/internal/pattern_database.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace strata::guardrails::internal {
namespace {

std::atomic<std::uint64_t> next_database_id{1};

// One scratch per thread, grown by hs_alloc_scratch to fit every database the
// thread has scanned with (a scratch that fits two databases serves both).
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  std::vector<std::uint64_t> fitted;

  ~ThreadScratch() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }

  hs_scratch_t* For(const hs_database_t* database, std::uint64_t id) {
    if (std::find(fitted.begin(), fitted.end(), id) == fitted.end()) {
      if (hs_alloc_scratch(database, &scratch) != HS_SUCCESS) {
        throw std::runtime_error("guardrails: cannot allocate Hyperscan scratch space");
      }
      fitted.push_back(id);
    }
    return scratch;
  }
};

thread_local ThreadScratch thread_scratch;

// hs_scan fails only on a bug: a scratch used re-entrantly from a callback, or
// a corrupt database. Returning "no findings" would let unchecked text through
// (fail open), so the process stops instead: the impossible tier of STYLE.md.
[[noreturn]] void FailScan(hs_error_t error) {
  std::fprintf(stderr, "guardrails: hs_scan failed with Hyperscan error %d\n", error);
  std::abort();
}

int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
            void* context) {
  auto* matches = static_cast<std::vector<RawMatch>*>(context);
  matches->push_back(RawMatch{id, static_cast<std::size_t>(from), static_cast<std::size_t>(to)});
  return 0;  // keep scanning
}

}  // namespace

PatternDatabase::PatternDatabase(const std::vector<PatternSpec>& patterns, Mode mode)
    : id_(next_database_id.fetch_add(1)) {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (unsigned i = 0; i < patterns.size(); ++i) {
    expressions.push_back(patterns[i].expression);
    unsigned pattern_flags = patterns[i].extra_flags;
    if (mode == Mode::kLeftmostStart && patterns[i].start_by == StartBy::kHyperscan) {
      pattern_flags |= HS_FLAG_SOM_LEFTMOST;
    }
    flags.push_back(pattern_flags);
    ids.push_back(i);
  }
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr,
                       &database_, &error) != HS_SUCCESS) {
    std::string message = "guardrails: Hyperscan rejected pattern ";
    if (error != nullptr && error->expression >= 0) {
      message += std::to_string(error->expression) + " (" + patterns[error->expression].expression + ")";
    }
    message += ": ";
    message += error != nullptr ? error->message : "unknown error";
    hs_free_compile_error(error);
    throw std::runtime_error(message);
  }
}

PatternDatabase::~PatternDatabase() { hs_free_database(database_); }

void PatternDatabase::Scan(std::string_view text, std::vector<RawMatch>& matches) const {
  hs_scratch_t* scratch = thread_scratch.For(database_, id_);
  // hs_scan takes an unsigned length; texts above 4 GiB never reach a guardrail
  // (the HTTP edge caps bodies far below), so no chunking is needed here.
  const hs_error_t result = hs_scan(database_, text.data(), static_cast<unsigned>(text.size()), 0,
                                    scratch, OnMatch, &matches);
  if (result != HS_SUCCESS) FailScan(result);
}

std::size_t PatternDatabase::size_bytes() const {
  std::size_t size = 0;
  hs_database_size(database_, &size);
  return size;
}

}  // namespace strata::guardrails::internal
