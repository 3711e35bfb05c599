// Browser sessions for the web UI: a bearer token exchanged once for a session cookie, so that no
// token is ever kept in a page, a URL or web storage (issue 23).
//
// POST /v1/session {"token": T} checks T like a bearer token and answers Set-Cookie with a new
// session id (HttpOnly, SameSite=Strict, Path=/, Max-Age) and the session's CSRF token. A request
// without an Authorization header is then authenticated by the cookie; every write (any method
// but GET and HEAD) made with the cookie must carry the CSRF token in X-CSRF-Token, or it is
// refused (403 csrf) before its route runs. DELETE /v1/session ends the session.
//
// Guarantees: session ids and CSRF tokens are 32 random bytes (hex); only the SHA-256 of an id is
// kept, so a memory dump does not give a usable cookie. A session ends at its expiry (absolute,
// from sign-in: a working day by default), at sign-out, or as soon as its token is revoked from
// the tokens file (the token is checked again on every request). Sessions live in memory: a
// restarted server signs everyone out.
//
// Thread-safety: every member may be called from many threads at once.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "adapters/http/tokens.hpp"
#include "engine/event.hpp"

namespace casetrail::http {

inline constexpr const char* kSessionCookie = "casetrail_session";

struct BrowserSession {
  std::string token;       // the bearer token it was opened with (re-checked on each request)
  std::string csrf;        // hex
  TimestampUs expires_at = 0;
};

class Sessions {
 public:
  explicit Sessions(std::chrono::seconds lifetime = std::chrono::hours(8)) : lifetime_(lifetime) {}

  // A new session for `token` (already authenticated by the caller): its id (for the cookie)
  // and the session.
  std::pair<std::string, BrowserSession> Open(const std::string& token, TimestampUs now);
  // The session of a cookie's id; nullopt when unknown or expired (an expired one is forgotten).
  std::optional<BrowserSession> Find(const std::string& id, TimestampUs now);
  // Ends it (unknown ids are ignored).
  void Close(const std::string& id);
  std::chrono::seconds lifetime() const { return lifetime_; }
  std::size_t size() const;

 private:
  std::chrono::seconds lifetime_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, BrowserSession> by_id_hash_;  // SHA-256(id) -> session
};

// The value of cookie `name` in a Cookie header ("a=1; casetrail_session=ab12"); empty if absent.
std::string CookieValue(std::string_view header, std::string_view name);

}  // namespace casetrail::http
