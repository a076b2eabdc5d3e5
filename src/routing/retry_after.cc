// Retry-After parsing (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date.

#include <algorithm>
#include <array>
#include <cctype>

#include "routing/retry.h"

namespace strata::routing {
namespace {

using namespace std::chrono;

// Far beyond any max_retry_after, and far from overflowing milliseconds.
constexpr milliseconds kLongest = duration_cast<milliseconds>(years(100));

constexpr std::array<std::string_view, 7> kShortDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<milliseconds> ParseDelaySeconds(std::string_view text) {
  std::size_t pos = 0;
  milliseconds::rep whole = 0;
  for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
    whole = std::min<milliseconds::rep>(whole * 10 + (text[pos] - '0'), kLongest.count());
  }
  milliseconds::rep fraction_ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    int scale = 100;
    bool remainder = false;  // digits past the millisecond round the wait up
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      if (scale > 0) {
        fraction_ms += (text[pos] - '0') * scale;
        scale /= 10;
      } else if (text[pos] != '0') {
        remainder = true;
      }
    }
    if (pos == first) return std::nullopt;
    fraction_ms += remainder ? 1 : 0;
  }
  if (pos != text.size()) return std::nullopt;
  return std::min(milliseconds(whole * 1000 + fraction_ms), kLongest);
}

// A cursor over an HTTP-date; each step consumes what it matched, or fails.
class DateReader {
 public:
  explicit DateReader(std::string_view text) : text_(text) {}

  bool Literal(std::string_view literal) {
    if (text_.substr(0, literal.size()) != literal) return false;
    text_.remove_prefix(literal.size());
    return true;
  }
  bool Number(int digits, int& out) {
    if (text_.size() < static_cast<std::size_t>(digits)) return false;
    out = 0;
    for (int i = 0; i < digits; ++i) {
      if (!IsDigit(text_[i])) return false;
      out = out * 10 + (text_[i] - '0');
    }
    text_.remove_prefix(digits);
    return true;
  }
  std::string_view Word() {
    std::size_t length = 0;
    while (length < text_.size() && std::isalpha(static_cast<unsigned char>(text_[length]))) ++length;
    const std::string_view word = text_.substr(0, length);
    text_.remove_prefix(length);
    return word;
  }
  bool Month(unsigned& out) {
    const std::string_view word = Word();
    const auto found = std::find(kMonths.begin(), kMonths.end(), word);
    if (found == kMonths.end()) return false;
    out = static_cast<unsigned>(found - kMonths.begin()) + 1;
    return true;
  }
  // hh:mm:ss
  bool Time(seconds& out) {
    int hour = 0, minute = 0, second = 0;
    if (!Number(2, hour) || !Literal(":") || !Number(2, minute) || !Literal(":") || !Number(2, second)) {
      return false;
    }
    if (hour > 23 || minute > 59 || second > 60) return false;  // 60: a leap second
    out = hours(hour) + minutes(minute) + seconds(second);
    return true;
  }
  char Peek() const { return text_.empty() ? '\0' : text_.front(); }
  bool AtEnd() const { return text_.empty(); }

 private:
  std::string_view text_;
};

template <std::size_t N>
bool Contains(const std::array<std::string_view, N>& names, std::string_view word) {
  return std::find(names.begin(), names.end(), word) != names.end();
}

std::optional<sys_seconds> ParseHttpDate(std::string_view text, year now_year) {
  DateReader reader(text);
  const std::string_view day_name = reader.Word();
  int day = 0;
  int year_number = 0;
  unsigned month = 0;
  seconds time_of_day{};
  if (Contains(kShortDays, day_name) && reader.Literal(", ")) {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    if (!reader.Number(2, day) || !reader.Literal(" ") || !reader.Month(month) || !reader.Literal(" ") ||
        !reader.Number(4, year_number) || !reader.Literal(" ") || !reader.Time(time_of_day) ||
        !reader.Literal(" GMT")) {
      return std::nullopt;
    }
  } else if (Contains(kLongDays, day_name) && reader.Literal(", ")) {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    int two_digit_year = 0;
    if (!reader.Number(2, day) || !reader.Literal("-") || !reader.Month(month) || !reader.Literal("-") ||
        !reader.Number(2, two_digit_year) || !reader.Literal(" ") || !reader.Time(time_of_day) ||
        !reader.Literal(" GMT")) {
      return std::nullopt;
    }
    // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
    const int now_number = static_cast<int>(now_year);
    year_number = now_number - now_number % 100 + two_digit_year;
    if (year_number > now_number + 50) year_number -= 100;
  } else if (Contains(kShortDays, day_name) && reader.Literal(" ")) {
    // asctime: Sun Nov  6 08:49:37 1994 (the day is space-padded)
    if (!reader.Month(month) || !reader.Literal(" ")) return std::nullopt;
    if (reader.Peek() == ' ') {
      reader.Literal(" ");
      if (!reader.Number(1, day)) return std::nullopt;
    } else if (!reader.Number(2, day)) {
      return std::nullopt;
    }
    if (!reader.Literal(" ") || !reader.Time(time_of_day) || !reader.Literal(" ") ||
        !reader.Number(4, year_number)) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (!reader.AtEnd()) return std::nullopt;
  const year_month_day date{year(year_number), std::chrono::month(month), std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return sys_days(date) + time_of_day;
}

}  // namespace

std::optional<milliseconds> ParseRetryAfter(std::string_view value, system_clock::time_point now) {
  const std::string_view text = Trim(value);
  if (text.empty()) return std::nullopt;
  if (IsDigit(text.front()) || text.front() == '.') return ParseDelaySeconds(text);
  const year now_year = year_month_day(floor<days>(now)).year();
  const std::optional<sys_seconds> date = ParseHttpDate(text, now_year);
  if (!date) return std::nullopt;
  if (*date <= now) return milliseconds(0);
  return std::min(ceil<milliseconds>(*date - now), kLongest);
}

}  // namespace strata::routing
