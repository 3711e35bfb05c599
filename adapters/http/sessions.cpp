#include "adapters/http/sessions.hpp"

#include "engine/hash.hpp"

namespace casetrail::http {

std::pair<std::string, BrowserSession> Sessions::Open(const std::string& token, TimestampUs now) {
  BrowserSession s;
  s.token = token;
  s.csrf = RandomHex(32);
  s.expires_at = now + std::chrono::duration_cast<std::chrono::microseconds>(lifetime_).count();
  std::string id = RandomHex(32);
  std::lock_guard<std::mutex> lk(mu_);
  // Forget the expired ones now and then (each sign-in sweeps; Find forgets the one it meets).
  for (auto it = by_id_hash_.begin(); it != by_id_hash_.end();) {
    it = it->second.expires_at <= now ? by_id_hash_.erase(it) : std::next(it);
  }
  by_id_hash_[Sha256Hex(id)] = s;
  return {std::move(id), std::move(s)};
}

std::optional<BrowserSession> Sessions::Find(const std::string& id, TimestampUs now) {
  if (id.empty()) return std::nullopt;
  const std::string key = Sha256Hex(id);
  std::lock_guard<std::mutex> lk(mu_);
  auto it = by_id_hash_.find(key);
  if (it == by_id_hash_.end()) return std::nullopt;
  if (it->second.expires_at <= now) {
    by_id_hash_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void Sessions::Close(const std::string& id) {
  if (id.empty()) return;
  const std::string key = Sha256Hex(id);
  std::lock_guard<std::mutex> lk(mu_);
  by_id_hash_.erase(key);
}

std::size_t Sessions::size() const {
  std::lock_guard<std::mutex> lk(mu_);
  return by_id_hash_.size();
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return std::string(value);
  }
  return {};
}

}  // namespace casetrail::http
