#pragma once

#include <chrono>
#include <string>

namespace strata::admin {

// Console sign-in: sessions and where a browser lands after an OIDC login
// (docs/ADMIN_API.md, "Console sessions"; YAML keys in docs/CONFIG.md).
struct ConsoleOptions {
  // The absolute lifetime of a session (`auth.session_ttl`), from sign-in:
  // whatever the activity, the user signs in again after it. Default 12 h.
  std::chrono::seconds session_ttl{12 * 3600};
  // A session unused for this long ends (`auth.session_idle_timeout`);
  // 0: only session_ttl applies. Default 1 h. Use is recorded at most once a
  // minute, so this is precise to a minute.
  std::chrono::seconds idle_timeout{3600};
  // The Secure attribute on the session and login cookies. The server sets it
  // when it terminates TLS itself; `auth.secure_cookies: true` sets it also
  // behind a TLS-terminating proxy.
  bool secure_cookies = false;
  // Where the browser goes after an OIDC sign-in (`oidc.post_login_url`), unless
  // the login asked for a `return_to` path. A path on this server ("/", "/console").
  std::string post_login_url = "/";
  // Whether POST /auth/login (email + password) is served (`auth.local_login`).
  // Turn it off to make OIDC the only way into the console.
  bool local_login = true;
  // Local sign-in throttle, per node: refused (429) after this many failures
  // within `throttle_window` for one (client address, email), or for one client
  // address over all emails. 0 turns that limit off.
  int max_failures_per_account = 5;
  int max_failures_per_address = 50;
  std::chrono::seconds throttle_window{15 * 60};
};

}  // namespace strata::admin
