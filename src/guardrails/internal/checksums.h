#pragma once

#include <string_view>

// Pure validators behind the detectors: checksums and structural checks that
// turn "looks like" into "is". Each takes the matched bytes and ignores the
// separators a human would type (spaces, dashes).
namespace strata::guardrails::internal {

// Luhn (mod 10) over the digits of `value`; other characters are skipped.
bool LuhnValid(std::string_view value);

// ISO 13616 IBAN check: 15–34 alphanumerics after removing spaces, a country
// code, two check digits, and the mod-97 of the rearranged number equal to 1.
bool IbanValid(std::string_view value);

// US SSN structure: area not 000, 666 or 900–999, group not 00, serial not
// 0000. `value` holds the nine digits, separators allowed.
bool UsSsnValid(std::string_view value);

// Dotted quad, each octet 0–255 without a leading zero.
bool Ipv4Valid(std::string_view value);

// Any textual IPv6 form inet_pton accepts (full, compressed, IPv4-mapped).
bool Ipv6Valid(std::string_view value);

// Whether a JWT's first segment base64url-decodes to a JSON object with "alg".
bool JwtHeaderValid(std::string_view first_segment);

// Shannon entropy of the byte distribution, in bits per byte.
double ShannonEntropy(std::string_view value);

}  // namespace strata::guardrails::internal
