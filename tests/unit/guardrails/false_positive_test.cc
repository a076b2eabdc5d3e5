// Ordinary text that a guardrail sees all day must come through untouched:
// every finding here would be a redaction that breaks a user's prompt.
#include <gtest/gtest.h>

#include <string>

#include "guardrails/scanner.h"

namespace strata::guardrails {
namespace {

const Scanner& SharedScanner() {
  static const Scanner scanner;
  return scanner;
}

std::string Describe(std::string_view text, const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += std::string(EntityName(f.type)) + "{" + std::string(text.substr(f.begin, f.size())) +
           "} score " + std::to_string(f.score) + "\n";
  }
  return out;
}

void ExpectNoFindings(std::string_view text) {
  const std::vector<Finding> findings = SharedScanner().Scan(text);
  EXPECT_TRUE(findings.empty()) << Describe(text, findings);
}

TEST(FalsePositiveTest, ProseHasNoFindings) {
  ExpectNoFindings(
      "The committee met on Tuesday to review the quarterly results. Revenue grew 12% to "
      "$4.2 million, while costs fell slightly. Anna presented the roadmap for the next two "
      "quarters, and the team agreed to revisit the pricing model in March. Please summarise "
      "the key points in three bullet points and suggest a title for the report. The Board "
      "of Directors will meet again on 14 June 2025 at 10:30 in Room 4B.");
}

TEST(FalsePositiveTest, CodeHasNoFindings) {
  ExpectNoFindings(R"cpp(
#include <vector>
template <class T> T Sum(const std::vector<T>& values) {
  T total{};
  for (const T& v : values) total += v;  // O(n), n <= 1000000
  return total;
}
int main() { std::vector<int> xs{1, 2, 3}; return Sum(xs) == 6 ? 0 : 1; }
)cpp");
  ExpectNoFindings(R"py(
def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

token_count = len(tokens)  # password_hash = hash(password)
print(f"{fib(90)=} {3.14159265358979:.4f} {0x7fffffff}")
assert fib(50) == 12586269025
)py");
}

TEST(FalsePositiveTest, NumbersTablesAndIdentifiersHaveNoFindings) {
  ExpectNoFindings(
      "| region | units | revenue    | growth |\n"
      "|--------|-------|------------|--------|\n"
      "| EMEA   | 12450 | 1,204,553.20 | 4.5% |\n"
      "| APAC   | 9823  | 987,110.00 | -1.2%  |\n"
      "| total  | 22273 | 2191663.20 | 1.9    |\n"
      "| 2023   | 2024  | 2025       | 2026   |\n"
      "| 250 300 1000 | 120 450 7800 | 12 34 56 78 |\n");
  ExpectNoFindings("Orders ORD-2024-000123, #100234567, INV-88213-A and 1000123412341234 units.");
  ExpectNoFindings("Ticket 123456789012 and 9876543210 and 5512 3456 7890 were merged.");
}

TEST(FalsePositiveTest, TimestampsVersionsAndUuidsHaveNoFindings) {
  ExpectNoFindings(
      "2025-11-24T05:10:06Z, 2025-11-24 05:10:06.123+01:00, 1732424406, 1732424406123, "
      "Tue Nov 24 05:10:06 UTC 2026, 12/03/2025, 24.11.2025, 10:30:45");
  ExpectNoFindings(
      "Upgrade from v1.2.3 to 2.10.0-rc.1; Boost 1.81.0, glibc 2.36, kernel 6.1.0-18-amd64, "
      "Windows 10.0.19041.1, version 1.2.3.4, build 4.0.30319.42000");
  ExpectNoFindings(
      "request 550e8400-e29b-41d4-a716-446655440000 and trace 4bf92f3577b34da6a3ce929d0e0e4736, "
      "commit 9fceb02d0ae598e95dc970b74767f19372d61af8, sha256 "
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace strata::guardrails
