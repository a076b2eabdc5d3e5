// POSTAL_ADDRESS: street addresses in three layouts.
//
//   US / UK street line   "1600 Pennsylvania Avenue NW, Washington, DC 20500"
//                         "221B Baker Street, London NW1 6XE"
//   German / continental  "Hauptstraße 5, 10115 Berlin"
//
// Hyperscan finds the street line only (a number and a street name ending in
// a street word, or a German street word and a number), without SOM. The
// validator walks back to its start (StartBy::kValidator), then reads forward
// from it for a unit, places and a closing state + ZIP or postcode, and
// scores what it found:
//
//   street line alone                        0.4   (below the 0.5 default)
//   + city and a US state, no ZIP            0.65
//   + state and ZIP, or a postcode           0.9
//   an address context word before it        +0.35
//
// So "42 Mulholland Drive" in prose is not a finding, "ship to 42 Mulholland
// Drive" is, and so is any street line that ends in a city, state and ZIP.
// The whole address is the finding, from the house number (or street name)
// to the ZIP or postcode. It never looks further than kMaxTailBytes past the
// street line, which keeps it inside the stream scanner's hold-back bound.
#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "guardrails/internal/ascii.h"
#include "guardrails/internal/context.h"
#include "guardrails/internal/pattern.h"

namespace strata::guardrails::internal {
namespace {

constexpr double kStreetLineScore = 0.4;
constexpr double kStateScore = 0.65;
constexpr double kFullScore = 0.9;
constexpr double kContextBonus = 0.35;
// How far past the street line the unit, places and code may reach, and how
// long a street line may be: together well under the stream scanner's
// 256-byte hold-back, so a street line whose ZIP has not yet arrived is
// still held when it does (docs/GUARDRAILS.md, "Streams").
constexpr std::size_t kMaxTailBytes = 120;
constexpr std::size_t kMaxStreetLineBytes = 100;
constexpr std::size_t npos = std::string_view::npos;

// Letters of a place name: ASCII letters and any byte of a multi-byte UTF-8
// character ("München", "Zürich").
bool IsPlaceByte(char c) { return IsAsciiAlpha(c) || static_cast<unsigned char>(c) >= 0x80; }

bool EqualsIgnoringCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != lower[i]) return false;
  }
  return true;
}

bool HasAddressContext(std::string_view text, std::size_t begin) {
  return HasContextBefore(text, begin,
                          {"address", "live at", "lives at", "living at", "lived at", "reside",
                           "resides", "residence", "ship to", "shipping", "deliver to", "delivery",
                           "located at", "mail to", "mailing", "billing", "postal", "adresse",
                           "anschrift", "wohne", "wohnt", "wohnhaft", "lieferadresse"});
}

// The house number must stand alone: "536-22-1234 Main Street" is an SSN
// and a street name, "12/03/1985 Oak Road" a date; the digits belong to them.
bool JoinedToDigitsBefore(std::string_view text, std::size_t begin) {
  if (begin >= 2) {
    const char separator = text[begin - 1];
    if ((separator == '-' || separator == '/' || separator == '.' || separator == ':') &&
        IsDigit(text[begin - 2])) {
      return true;
    }
  }
  return begin > 0 && IsAsciiAlnum(text[begin - 1]);
}

// The forward reader: each step returns the end of what it recognised at
// `at`, or npos. `limit` bounds every step (kMaxTailBytes past the street).
class Tail {
 public:
  Tail(std::string_view text, std::size_t limit) : text_(text.substr(0, limit)) {}

  // ", " / "," + newline / " " / newline: the gap between address parts.
  std::size_t Separator(std::size_t at) const {
    std::size_t cursor = at;
    if (cursor < text_.size() && text_[cursor] == ',') ++cursor;
    const std::size_t spaces_from = cursor;
    while (cursor < text_.size() && cursor - spaces_from < 3 &&
           (text_[cursor] == ' ' || text_[cursor] == '\n' || text_[cursor] == '\r')) {
      ++cursor;
    }
    return cursor > spaces_from ? cursor : npos;
  }

  // A post-directional after the street word: "Avenue NW".
  std::size_t Directional(std::size_t at) const {
    if (at >= text_.size() || text_[at] != ' ') return npos;
    std::size_t end = at + 1;
    while (end < text_.size() && end - at <= 2 &&
           (text_[end] == 'N' || text_[end] == 'S' || text_[end] == 'E' || text_[end] == 'W')) {
      ++end;
    }
    if (end == at + 1 || Word(end)) return npos;
    return end;
  }

  // "Apt 4B", ", Suite 200", " #12", "Unit C".
  std::size_t Unit(std::size_t at) const {
    std::size_t cursor = Separator(at);
    if (cursor == npos) return npos;
    if (cursor < text_.size() && text_[cursor] == '#') {
      return UnitNumber(cursor + 1);
    }
    std::size_t word_end = cursor;
    while (word_end < text_.size() && IsAsciiAlpha(text_[word_end])) ++word_end;
    const std::string_view word = text_.substr(cursor, word_end - cursor);
    static constexpr std::array<std::string_view, 10> kUnits = {
        "apt", "apartment", "suite", "ste", "unit", "flat", "floor", "fl", "room", "rm"};
    bool unit = false;
    for (std::string_view known : kUnits) unit = unit || EqualsIgnoringCase(word, known);
    if (!unit) return npos;
    cursor = word_end;
    if (cursor < text_.size() && text_[cursor] == '.') ++cursor;
    if (cursor < text_.size() && text_[cursor] == ' ') ++cursor;
    if (cursor < text_.size() && text_[cursor] == '#') ++cursor;
    return UnitNumber(cursor);
  }

  // One to four words of a place: "Springfield", "St. Louis", "Winston-Salem",
  // "LONDON", "Frankfurt am Main", "Newcastle upon Tyne".
  std::size_t Place(std::size_t at) const {
    std::size_t end = PlaceWord(at);
    if (end == npos) return npos;
    std::size_t cursor = end;
    for (int words = 1; words < 4; ++words) {
      if (cursor >= text_.size() || text_[cursor] != ' ') break;
      if (const std::size_t word = PlaceWord(cursor + 1); word != npos) {
        cursor = end = word;
      } else if (const std::size_t connector = Connector(cursor + 1); connector != npos) {
        cursor = connector;  // counts only if a place word follows ("am Main")
      } else {
        break;
      }
    }
    return end;
  }

  // A US state or territory code, then optionally a space and a ZIP or ZIP+4.
  // Returns {end of the state, end of the ZIP or npos}.
  std::pair<std::size_t, std::size_t> StateAndZip(std::size_t at) const {
    static constexpr std::array<std::string_view, 56> kStates = {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL",
        "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE",
        "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD",
        "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP"};
    if (at + 2 > text_.size() || Word(at + 2)) return {npos, npos};
    const std::string_view code = text_.substr(at, 2);
    bool known = false;
    for (std::string_view state : kStates) known = known || code == state;
    if (!known) return {npos, npos};
    const std::size_t state_end = at + 2;
    std::size_t zip = state_end;
    if (zip < text_.size() && text_[zip] == ' ') ++zip;
    if (zip == state_end || !Digits(zip, 5)) return {state_end, npos};
    std::size_t zip_end = zip + 5;
    if (zip_end + 5 <= text_.size() && text_[zip_end] == '-' && Digits(zip_end + 1, 4)) zip_end += 5;
    if (Word(zip_end) || (zip_end < text_.size() && text_[zip_end] == '-')) return {state_end, npos};
    return {state_end, zip_end};
  }

  // A UK postcode in a valid format: outward A9 / A99 / AA9 / AA99 / A9A /
  // AA9A (first letter not Q, V, X), an optional space, inward 9AA (letters
  // not C, I, K, M, V). "SW1A 2AA", "NW1 6XE", "M1 1AE", "EC1A1BB".
  std::size_t UkPostcode(std::size_t at) const {
    std::size_t cursor = at;
    const auto letter = [&](std::size_t i) { return i < text_.size() && IsUpper(text_[i]); };
    const auto digit = [&](std::size_t i) { return i < text_.size() && IsDigit(text_[i]); };
    if (!letter(cursor) || text_[cursor] == 'Q' || text_[cursor] == 'V' || text_[cursor] == 'X') {
      return npos;
    }
    ++cursor;
    if (letter(cursor)) ++cursor;
    if (!digit(cursor)) return npos;
    ++cursor;
    if (letter(cursor) || digit(cursor)) ++cursor;
    if (cursor < text_.size() && text_[cursor] == ' ') ++cursor;
    if (!digit(cursor)) return npos;
    ++cursor;
    for (int i = 0; i < 2; ++i, ++cursor) {
      if (!letter(cursor)) return npos;
      const char c = text_[cursor];
      if (c == 'C' || c == 'I' || c == 'K' || c == 'M' || c == 'V') return npos;
    }
    return Word(cursor) ? npos : cursor;
  }

  // A German, Austrian or Swiss postcode and its city: "10115 Berlin", "8001 Zürich".
  std::size_t PostcodeAndCity(std::size_t at) const {
    std::size_t digits = 0;
    while (at + digits < text_.size() && IsDigit(text_[at + digits])) ++digits;
    if (digits != 4 && digits != 5) return npos;
    const std::size_t city = at + digits;
    if (city >= text_.size() || text_[city] != ' ') return npos;
    return Place(city + 1);
  }

 private:
  bool Word(std::size_t at) const { return at < text_.size() && IsAsciiAlnum(text_[at]); }

  bool Digits(std::size_t at, std::size_t count) const {
    if (at + count > text_.size()) return false;
    for (std::size_t i = at; i < at + count; ++i) {
      if (!IsDigit(text_[i])) return false;
    }
    return true;
  }

  std::size_t UnitNumber(std::size_t at) const {
    std::size_t end = at;
    bool digit = false;
    while (end < text_.size() && end - at < 6 && (IsAsciiAlnum(text_[end]) || text_[end] == '-')) {
      digit = digit || IsDigit(text_[end]);
      ++end;
    }
    const bool single_letter = end == at + 1 && IsUpper(text_[at]);
    if (end == at || Word(end) || (!digit && !single_letter)) return npos;
    return end;
  }

  // A capitalised word ("Springfield", "St.", "O'Fallon", "Winston-Salem",
  // "Köln") or one in capitals of at least three letters ("LONDON"). Two
  // capitals ("IL", "SW") are a state or the start of a postcode, not a place.
  std::size_t PlaceWord(std::size_t at) const {
    if (at >= text_.size() || !IsUpper(text_[at])) return npos;
    std::size_t end = at + 1;
    bool lower = false;
    while (end < text_.size() &&
           (IsPlaceByte(text_[end]) || text_[end] == '\'' || text_[end] == '-')) {
      lower = lower || !IsUpper(text_[end]);
      ++end;
    }
    if (end < text_.size() && text_[end] == '.' && end - at <= 3) ++end;  // "St." Louis
    if (Word(end) || (!lower && end - at < 3)) return npos;
    return end;
  }

  std::size_t Connector(std::size_t at) const {
    static constexpr std::array<std::string_view, 7> kConnectors = {"am", "an", "der", "im",
                                                                    "upon", "on", "bei"};
    std::size_t end = at;
    while (end < text_.size() && IsLower(text_[end])) ++end;
    const std::string_view word = text_.substr(at, end - at);
    for (std::string_view connector : kConnectors) {
      if (word == connector && end < text_.size() && text_[end] == ' ') return end;
    }
    return npos;
  }

  std::string_view text_;
};

// ---- Where a street line starts. The patterns run without SOM (a rescan
// with SOM cost 1.6 µs per street line); these walks find the same start as
// SOM_LEFTMOST would, because every token of a street line has one shape
// only: a name word is never a house number, a directional or a street word.

bool IsWordByte(char c) { return IsAsciiAlnum(c) || c == '_'; }  // Hyperscan's \w

// The token of non-space bytes that ends at `end`.
std::size_t TokenStart(std::string_view text, std::size_t end) {
  std::size_t begin = end;
  while (begin > 0 && text[begin - 1] != ' ' && end - begin < 64) --begin;
  return begin;
}

// kName: "Baker", "O'Farrell", "McDonald", "5th", "42nd".
bool IsNameToken(std::string_view token) {
  if (token.size() >= 3 && IsDigit(token[0])) {
    std::size_t digits = 0;
    while (digits < token.size() && IsDigit(token[digits])) ++digits;
    const std::string_view suffix = token.substr(digits);
    return digits <= 3 && (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th");
  }
  if (token.size() < 2 || !IsUpper(token[0])) return false;
  std::size_t at = 1;
  if (token[at] == '\'') {
    if (token.size() < 4 || !IsUpper(token[2]) || !IsLower(token[3])) return false;
    at = 3;
  } else if (!IsLower(token[at])) {
    return false;
  }
  while (at < token.size() && IsLower(token[at])) ++at;
  if (at < token.size() && IsUpper(token[at])) {  // "McDonald": one more capitalised part
    ++at;
    if (at == token.size() || !IsLower(token[at])) return false;
    while (at < token.size() && IsLower(token[at])) ++at;
  }
  return at == token.size();
}

bool IsDirectionalToken(std::string_view token) {
  if (!token.empty() && token.back() == '.') token.remove_suffix(1);
  return token == "N" || token == "S" || token == "E" || token == "W";
}

// kNumber, \d{1,5}[A-Za-z]?(?:-\d{1,5})?, ending at `end` with \b before it:
// its leftmost start, or npos.
std::size_t HouseNumberStart(std::string_view text, std::size_t end) {
  const auto matches = [&](std::size_t begin) {
    std::size_t at = begin;
    std::size_t digits = 0;
    while (at < end && IsDigit(text[at]) && digits < 5) ++at, ++digits;
    if (digits == 0) return false;
    if (at < end && IsAsciiAlpha(text[at])) ++at;
    if (at < end && text[at] == '-') {
      ++at;
      std::size_t more = 0;
      while (at < end && IsDigit(text[at]) && more < 5) ++at, ++more;
      if (more == 0) return false;
    }
    return at == end && (begin == 0 || !IsWordByte(text[begin - 1]));
  };
  constexpr std::size_t kLongest = 12;  // 5 digits, a letter, '-', 5 digits
  for (std::size_t length = std::min(end, kLongest); length > 0; --length) {
    if (matches(end - length)) return end - length;
  }
  return npos;
}

// A US/UK street line ending at `end` (after its street word): the start of
// its house number, or npos.
std::size_t StreetLineStart(std::string_view text, std::size_t end) {
  std::size_t cursor = TokenStart(text, end);  // the street word
  int names = 0;
  while (names < 4 && cursor >= 2 && text[cursor - 1] == ' ') {
    const std::size_t token = TokenStart(text, cursor - 1);
    if (!IsNameToken(text.substr(token, cursor - 1 - token))) break;
    cursor = token;
    ++names;
  }
  if (names == 0 || cursor < 2 || text[cursor - 1] != ' ') return npos;
  if (const std::size_t token = TokenStart(text, cursor - 1);
      IsDirectionalToken(text.substr(token, cursor - 1 - token)) && token >= 2 && text[token - 1] == ' ') {
    if (const std::size_t number = HouseNumberStart(text, token - 1); number != npos) return number;
  }
  return HouseNumberStart(text, cursor - 1);
}

// A German street line "Hauptstraße 5" / "Berliner Straße 12a" ending at
// `end`: the start of its street name, or npos.
std::size_t StreetFirstStart(std::string_view text, std::size_t end) {
  const std::size_t number = TokenStart(text, end);
  if (number < 2 || text[number - 1] != ' ') return npos;
  std::size_t street = TokenStart(text, number - 1);
  const std::string_view word = text.substr(street, number - 1 - street);
  static constexpr std::array<std::string_view, 7> kStreetWords = {
      "Stra\xc3\x9f" "e", "Strasse", "Str.", "Weg", "Allee", "Platz", "Gasse"};
  bool separate = false;
  for (std::string_view known : kStreetWords) separate = separate || word == known;
  if (separate) {  // "Berliner Straße": the start is the word before
    if (street < 2 || text[street - 1] != ' ') return npos;
    street = TokenStart(text, street - 1);
  }
  // The token may begin with punctuation ("(Hauptstraße"): the name starts
  // at its first capital, as \b[A-Z] or a capital umlaut would.
  while (street < number && !IsUpper(text[street]) &&
         !(static_cast<unsigned char>(text[street]) == 0xc3 && street + 1 < number)) {
    ++street;
  }
  return street < number ? street : npos;
}

Candidate Scored(const Match& match, std::size_t end, double score) {
  if (HasAddressContext(match.text, match.begin)) score += kContextBonus;
  return Candidate{match.begin, end, score};
}

// US and UK: the street line, then an optional post-directional and unit,
// then up to three places ("Westminster, London") closed by a state (+ ZIP)
// or a UK postcode. Without a closing code, the street line (and unit) alone.
std::optional<Candidate> ValidateStreetAddress(const Match& raw) {
  Match match = raw;
  match.begin = StreetLineStart(match.text, match.end);
  if (match.begin == npos || match.end - match.begin > kMaxStreetLineBytes ||
      JoinedToDigitsBefore(match.text, match.begin)) {
    return std::nullopt;
  }
  const Tail tail(match.text, std::min(match.text.size(), match.end + kMaxTailBytes));
  std::size_t line_end = match.end;
  std::size_t cursor = match.end;
  // "St." / "Ave.": the dot belongs to the address only if a comma follows it;
  // otherwise it ends the sentence ("I live at 10 Main St. Then …").
  if (cursor < match.text.size() && match.text[cursor] == '.') {
    if (cursor + 1 >= match.text.size() || match.text[cursor + 1] != ',') {
      return Scored(match, line_end, kStreetLineScore);
    }
    ++cursor;
  }
  if (const std::size_t directional = tail.Directional(cursor); directional != npos) {
    cursor = line_end = directional;
  }
  if (const std::size_t unit = tail.Unit(cursor); unit != npos) cursor = line_end = unit;

  int places = 0;
  for (int part = 0; part < 4; ++part) {
    const std::size_t next = tail.Separator(cursor);
    if (next == npos) break;
    if (const std::size_t postcode = tail.UkPostcode(next); postcode != npos) {
      return Scored(match, postcode, kFullScore);
    }
    if (places > 0) {
      const auto [state_end, zip_end] = tail.StateAndZip(next);
      if (zip_end != npos) return Scored(match, zip_end, kFullScore);
      // Without a ZIP, only "City, ST": a comma must set the state off.
      if (state_end != npos && match.text[cursor] == ',') return Scored(match, state_end, kStateScore);
    }
    const std::size_t place = tail.Place(next);
    if (place == npos) break;
    cursor = place;
    ++places;
  }
  return Scored(match, line_end, kStreetLineScore);
}

// German and continental: "Hauptstraße 5", then optionally ", 10115 Berlin".
std::optional<Candidate> ValidateStreetFirstAddress(const Match& raw) {
  Match match = raw;
  match.begin = StreetFirstStart(match.text, match.end);
  if (match.begin == npos || match.end - match.begin > kMaxStreetLineBytes) return std::nullopt;
  if (match.begin > 0 && IsPlaceByte(match.text[match.begin - 1])) return std::nullopt;
  if (match.end < match.text.size() && IsAsciiAlnum(match.text[match.end])) return std::nullopt;
  const Tail tail(match.text, std::min(match.text.size(), match.end + kMaxTailBytes));
  if (const std::size_t next = tail.Separator(match.end); next != npos) {
    if (const std::size_t city = tail.PostcodeAndCity(next); city != npos) {
      return Scored(match, city, kFullScore);
    }
  }
  return Scored(match, match.end, kStreetLineScore);
}

}  // namespace

std::vector<PatternSpec> AddressPatterns() {
  // A street name word: capitalised ASCII ("Baker", "O'Farrell") or an
  // ordinal ("5th", "42nd").
  static const std::string kName =
      R"((?:[A-Z](?:[a-z]+|'[A-Z][a-z]+)(?:[A-Z][a-z]+)?|\d{1,3}(?:st|nd|rd|th)))";
  static const std::string kStreet =
      R"(\b\d{1,5}[A-Za-z]?(?:-\d{1,5})? (?:[NSEW]\.? )?)" + kName + "(?: " + kName + "){0,3} " +
      "(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
      "Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Crescent|Close|Gardens|Mews|"
      R"(Grove|Row|Trail|Plaza)\b)";
  // German lower-case letters in UTF-8 without HS_FLAG_UTF8: ä ö ü ß.
  static const std::string kLower = R"((?:[a-z]|\xc3[\xa4\xb6\xbc\x9f]))";
  static const std::string kUpper = R"((?:\b[A-Z]|\xc3[\x84\x96\x9c]))";
  static const std::string kStreetFirst =
      "(?:" + kUpper + kLower + "+(?:-" + kLower + "+)*" +
      R"((?:stra\xc3\x9fe|strasse|str\.|weg|allee|platz|gasse))" + "|" + kUpper + kLower +
      R"(+ (?:Stra\xc3\x9fe|Strasse|Str\.|Weg|Allee|Platz|Gasse)) \d{1,4}[a-z]?(?:-\d{1,4})?\b)";
  return {
      {kStreet.c_str(), 0, EntityType::kPostalAddress, kStreetLineScore, ValidateStreetAddress,
       StartBy::kValidator},
      {kStreetFirst.c_str(), 0, EntityType::kPostalAddress, kStreetLineScore,
       ValidateStreetFirstAddress, StartBy::kValidator},
  };
}

}  // namespace strata::guardrails::internal
